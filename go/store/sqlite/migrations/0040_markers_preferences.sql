-- 0040_markers_preferences: read positions (markers) and the posting and
-- reading preferences an account keeps. An account has at most one marker
-- per timeline and one preferences row; both go with the account.

CREATE TABLE markers (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     TEXT    NOT NULL CHECK (timeline IN ('home', 'notifications')),
    last_read_id INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, timeline)
) STRICT, WITHOUT ROWID;

-- '' means "not set" for the visibility, the language and expand_media.
CREATE TABLE account_preferences (
    account_id         INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    posting_visibility TEXT    NOT NULL CHECK (posting_visibility IN ('', 'public', 'unlisted', 'private', 'direct')),
    posting_sensitive  INTEGER NOT NULL,
    posting_language   TEXT    NOT NULL,
    expand_media       TEXT    NOT NULL CHECK (expand_media IN ('', 'default', 'show_all', 'hide_all')),
    expand_spoilers    INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
