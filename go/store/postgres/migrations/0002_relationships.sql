-- 0002_relationships: blocks, mutes, follow requests, dismissed suggestions,
-- and the indexes account search and suggestions read.
--
-- Every edge table is (account_id → target_account_id), unique per pair, with
-- an index on the target side for "who blocks me" style questions (PostgreSQL
-- does not index the referencing side of a foreign key by itself). Lists are
-- paged by the edge's own id, as Mastodon pages them.

CREATE TABLE blocks (
    id                bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL,
    UNIQUE (account_id, target_account_id)
);

CREATE INDEX blocks_target_account_id_idx ON blocks (target_account_id);

CREATE TABLE mutes (
    id                bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    notifications     boolean     NOT NULL,
    expires_at        timestamptz, -- NULL: indefinite
    created_at        timestamptz NOT NULL,
    UNIQUE (account_id, target_account_id)
);

CREATE INDEX mutes_target_account_id_idx ON mutes (target_account_id);

CREATE TABLE follow_requests (
    id                bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs      boolean     NOT NULL,
    notify            boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    UNIQUE (account_id, target_account_id)
);

-- Incoming requests of a locked account, newest first.
CREATE INDEX follow_requests_target_account_id_id_idx ON follow_requests (target_account_id, id);

CREATE TABLE suggestion_dismissals (
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

CREATE INDEX suggestion_dismissals_target_account_id_idx ON suggestion_dismissals (target_account_id);

-- Display-name typeahead; usernames use accounts_username_lower_idx.
-- text_pattern_ops lets LIKE 'prefix%' use the index under any collation.
CREATE INDEX accounts_display_name_lower_idx ON accounts (lower(display_name) text_pattern_ops);
CREATE INDEX accounts_username_lower_pattern_idx ON accounts (lower(username) text_pattern_ops);
-- Most-followed suggestions.
CREATE INDEX accounts_followers_count_idx ON accounts (followers_count DESC, id);
-- Followers and following lists, paged by the follow's id.
CREATE INDEX follows_account_id_id_idx ON follows (account_id, id);
CREATE INDEX follows_target_account_id_id_idx ON follows (target_account_id, id);
