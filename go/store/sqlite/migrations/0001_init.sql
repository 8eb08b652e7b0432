-- 0001_init: accounts, OAuth apps and tokens, follows, statuses.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC: exact, ordered,
-- and never touched by go-sqlite3's DATETIME text conversion. Booleans are
-- INTEGER 0/1. IDs are snowflakes assigned by the caller, so every id is an
-- INTEGER PRIMARY KEY (the rowid) without AUTOINCREMENT.

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    locked          INTEGER NOT NULL,
    bot             INTEGER NOT NULL,
    discoverable    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    followers_count INTEGER NOT NULL DEFAULT 0,
    following_count INTEGER NOT NULL DEFAULT 0,
    statuses_count  INTEGER NOT NULL DEFAULT 0,
    last_status_at  INTEGER -- NULL until the first status
) STRICT;

-- Usernames are unique case-insensitively; lookups use the same expression.
CREATE UNIQUE INDEX accounts_username_lower_idx ON accounts (lower(username));

CREATE TABLE apps (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    website       TEXT    NOT NULL,
    redirect_uris TEXT    NOT NULL,
    scopes        TEXT    NOT NULL,
    client_id     TEXT    NOT NULL UNIQUE,
    client_secret TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE, -- NULL: client_credentials
    hash       BLOB    NOT NULL UNIQUE,                            -- SHA-256 of the secret
    scopes     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Foreign keys need an index on the child side, or every cascade scans.
CREATE INDEX tokens_app_id_idx ON tokens (app_id);
CREATE INDEX tokens_account_id_idx ON tokens (account_id);

CREATE TABLE follows (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs      INTEGER NOT NULL,
    notify            INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
) STRICT;

CREATE INDEX follows_target_account_id_idx ON follows (target_account_id);

CREATE TABLE statuses (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id INTEGER, -- NULL when not a reply; no FK: the parent may be deleted
    text           TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    spoiler_text   TEXT    NOT NULL,
    sensitive      INTEGER NOT NULL,
    visibility     TEXT    NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    language       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    embedding      BLOB    -- little-endian float32; NULL when there is none
) STRICT;

-- Timelines: one account's statuses, newest first.
CREATE INDEX statuses_account_id_id_idx ON statuses (account_id, id DESC);
