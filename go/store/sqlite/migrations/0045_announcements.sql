-- 0045_announcements: the operator's announcements, who dismissed them and
-- the emoji reactions to them (both go with their announcement).

CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    text         TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    starts_at    INTEGER, -- NULL: from publication
    ends_at      INTEGER, -- NULL: until deleted
    all_day      INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE announcement_dismissals (
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, announcement_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX announcement_dismissals_announcement_id_idx ON announcement_dismissals (announcement_id);

CREATE TABLE announcement_reactions (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
) STRICT, WITHOUT ROWID;

CREATE INDEX announcement_reactions_account_id_idx ON announcement_reactions (account_id);
