-- 0043_notes_domain_blocks: private notes on other accounts (one per pair)
-- and blocked domains, listed per account by id.

CREATE TABLE account_notes (
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    comment           TEXT    NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX account_notes_target_account_id_idx ON account_notes (target_account_id);

CREATE TABLE account_domain_blocks (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, domain)
) STRICT;

CREATE INDEX account_domain_blocks_account_id_id_idx ON account_domain_blocks (account_id, id);
