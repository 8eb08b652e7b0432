-- 0050_filters: content filters (Mastodon's custom filters), their keywords
-- and the statuses they name. Every read path of a signed-in account loads
-- the account's filters, so each table is indexed by owner; keywords and
-- statuses carry the owner too, so per-account caps count with one index
-- and every lookup by ID checks the owner. All go with the account, and a
-- filter's status goes with the status.

CREATE TABLE filters (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title      text        NOT NULL,
    context    text        NOT NULL, -- comma-separated: home, notifications, public, thread, account
    action     text        NOT NULL CHECK (action IN ('warn', 'hide', 'blur')),
    expires_at timestamptz,
    created_at timestamptz NOT NULL
);

CREATE INDEX filters_account_id_idx ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id         bigint  PRIMARY KEY,
    filter_id  bigint  NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    account_id bigint  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    keyword    text    NOT NULL,
    whole_word boolean NOT NULL
);

CREATE INDEX filter_keywords_account_id_idx ON filter_keywords (account_id, id);
CREATE INDEX filter_keywords_filter_id_idx ON filter_keywords (filter_id);

CREATE TABLE filter_statuses (
    id         bigint      PRIMARY KEY,
    filter_id  bigint      NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    UNIQUE (filter_id, status_id)
);

CREATE INDEX filter_statuses_account_id_idx ON filter_statuses (account_id, id);
CREATE INDEX filter_statuses_status_id_idx ON filter_statuses (status_id);
