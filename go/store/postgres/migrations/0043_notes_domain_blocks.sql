-- 0043_notes_domain_blocks: private notes on other accounts (one per pair)
-- and blocked domains, listed per account by id.

CREATE TABLE account_notes (
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    comment           text        NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

CREATE INDEX account_notes_target_account_id_idx ON account_notes (target_account_id);

CREATE TABLE account_domain_blocks (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain     text        NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, domain)
);

CREATE INDEX account_domain_blocks_account_id_id_idx ON account_domain_blocks (account_id, id);
