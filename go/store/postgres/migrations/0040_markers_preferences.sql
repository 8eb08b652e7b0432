-- 0040_markers_preferences: read positions (markers) and the posting and
-- reading preferences an account keeps. An account has at most one marker
-- per timeline and one preferences row; both go with the account.

CREATE TABLE markers (
    account_id   bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     text        NOT NULL CHECK (timeline IN ('home', 'notifications')),
    last_read_id bigint      NOT NULL,
    version      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, timeline)
);

-- '' means "not set" for the visibility, the language and expand_media.
CREATE TABLE account_preferences (
    account_id         bigint      PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    posting_visibility text        NOT NULL CHECK (posting_visibility IN ('', 'public', 'unlisted', 'private', 'direct')),
    posting_sensitive  boolean     NOT NULL,
    posting_language   text        NOT NULL,
    expand_media       text        NOT NULL CHECK (expand_media IN ('', 'default', 'show_all', 'hide_all')),
    expand_spoilers    boolean     NOT NULL,
    updated_at         timestamptz NOT NULL
);
