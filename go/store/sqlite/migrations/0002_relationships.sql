-- 0002_relationships: blocks, mutes, follow requests, dismissed suggestions,
-- and the indexes account search and suggestions read.
--
-- Every edge table is (account_id → target_account_id), unique per pair, with
-- an index on the target side for "who blocks me" style questions. Lists are
-- paged by the edge's own id, as Mastodon pages them.

CREATE TABLE blocks (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
) STRICT;

CREATE INDEX blocks_target_account_id_idx ON blocks (target_account_id);

CREATE TABLE mutes (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    notifications     INTEGER NOT NULL,
    expires_at        INTEGER, -- NULL: indefinite
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
) STRICT;

CREATE INDEX mutes_target_account_id_idx ON mutes (target_account_id);

CREATE TABLE follow_requests (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs      INTEGER NOT NULL,
    notify            INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
) STRICT;

-- Incoming requests of a locked account, newest first.
CREATE INDEX follow_requests_target_account_id_id_idx ON follow_requests (target_account_id, id);

CREATE TABLE suggestion_dismissals (
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
) STRICT;

CREATE INDEX suggestion_dismissals_target_account_id_idx ON suggestion_dismissals (target_account_id);

-- Display-name typeahead; usernames use accounts_username_lower_idx.
CREATE INDEX accounts_display_name_lower_idx ON accounts (lower(display_name));
-- Most-followed suggestions.
CREATE INDEX accounts_followers_count_idx ON accounts (followers_count DESC, id);
-- Followers and following lists, paged by the follow's id.
CREATE INDEX follows_account_id_id_idx ON follows (account_id, id);
CREATE INDEX follows_target_account_id_id_idx ON follows (target_account_id, id);
