-- 0001_init: accounts, OAuth apps and tokens, follows, statuses.
--
-- IDs are snowflakes assigned by the caller (bigint, no sequences). Times are
-- timestamptz, microsecond precision; the Go side truncates to microseconds
-- before writing so both backends store the same value.

CREATE TABLE accounts (
    id              bigint      PRIMARY KEY,
    username        text        NOT NULL,
    display_name    text        NOT NULL,
    note            text        NOT NULL,
    password_hash   text        NOT NULL,
    locked          boolean     NOT NULL,
    bot             boolean     NOT NULL,
    discoverable    boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    followers_count bigint      NOT NULL DEFAULT 0,
    following_count bigint      NOT NULL DEFAULT 0,
    statuses_count  bigint      NOT NULL DEFAULT 0,
    last_status_at  timestamptz -- NULL until the first status
);

-- Usernames are unique case-insensitively; lookups use the same expression.
CREATE UNIQUE INDEX accounts_username_lower_idx ON accounts (lower(username));

CREATE TABLE apps (
    id            bigint      PRIMARY KEY,
    name          text        NOT NULL,
    website       text        NOT NULL,
    redirect_uris text        NOT NULL,
    scopes        text        NOT NULL,
    client_id     text        NOT NULL UNIQUE,
    client_secret text        NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE tokens (
    id         bigint      PRIMARY KEY,
    app_id     bigint      NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    account_id bigint      REFERENCES accounts (id) ON DELETE CASCADE, -- NULL: client_credentials
    hash       bytea       NOT NULL UNIQUE,                            -- SHA-256 of the secret
    scopes     text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- PostgreSQL does not index the referencing side of a foreign key; without
-- these, deleting an app or account scans tokens.
CREATE INDEX tokens_app_id_idx ON tokens (app_id);
CREATE INDEX tokens_account_id_idx ON tokens (account_id);

CREATE TABLE follows (
    id                bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs      boolean     NOT NULL,
    notify            boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    UNIQUE (account_id, target_account_id)
);

CREATE INDEX follows_target_account_id_idx ON follows (target_account_id);

CREATE TABLE statuses (
    id             bigint      PRIMARY KEY,
    account_id     bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id bigint, -- NULL when not a reply; no FK: the parent may be deleted
    text           text        NOT NULL,
    content        text        NOT NULL,
    spoiler_text   text        NOT NULL,
    sensitive      boolean     NOT NULL,
    visibility     text        NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    language       text        NOT NULL,
    created_at     timestamptz NOT NULL,
    embedding      bytea       -- little-endian float32; NULL when there is none
);

-- Timelines: one account's statuses, newest first.
CREATE INDEX statuses_account_id_id_idx ON statuses (account_id, id DESC);
