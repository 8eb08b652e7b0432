-- 0003_interactions: reblogs, reply threads and counts on statuses; mentions,
-- tags, favourites, bookmarks, notifications, lists and idempotency keys.
--
-- Counts live on the statuses row and are changed by the store in the
-- transaction that writes or deletes the rows they count.

ALTER TABLE statuses ADD COLUMN in_reply_to_account_id INTEGER; -- NULL when not a reply
ALTER TABLE statuses ADD COLUMN reblog_of_id INTEGER;           -- NULL when not a reblog; deleted with the original by the store
ALTER TABLE statuses ADD COLUMN replies_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN reblogs_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN favourites_count INTEGER NOT NULL DEFAULT 0;

-- One reblog per account and original; reblogged_by pages by reblog ID.
CREATE UNIQUE INDEX statuses_account_id_reblog_of_id_idx ON statuses (account_id, reblog_of_id)
    WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_reblog_of_id_id_idx ON statuses (reblog_of_id, id) WHERE reblog_of_id IS NOT NULL;
-- Context: the replies to a status.
CREATE INDEX statuses_in_reply_to_id_idx ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
-- The public timeline walks public statuses newest first.
CREATE INDEX statuses_public_id_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL;

CREATE TABLE status_mentions (
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX status_mentions_account_id_idx ON status_mentions (account_id, status_id);

CREATE TABLE status_tags (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL, -- lower case, no '#'
    PRIMARY KEY (status_id, name)
) STRICT, WITHOUT ROWID;

-- Hashtag timelines: a tag's statuses, newest first.
CREATE INDEX status_tags_name_status_id_idx ON status_tags (name, status_id DESC);

CREATE TABLE favourites (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
) STRICT;

CREATE INDEX favourites_status_id_id_idx ON favourites (status_id, id);
CREATE INDEX favourites_account_id_id_idx ON favourites (account_id, id);

CREATE TABLE bookmarks (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
) STRICT;

CREATE INDEX bookmarks_status_id_idx ON bookmarks (status_id);
CREATE INDEX bookmarks_account_id_id_idx ON bookmarks (account_id, id);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, -- recipient
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status')),
    status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE, -- NULL for follows
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC);
CREATE INDEX notifications_status_id_idx ON notifications (status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account_id_idx ON notifications (from_account_id);

CREATE TABLE lists (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title          TEXT    NOT NULL,
    replies_policy TEXT    NOT NULL CHECK (replies_policy IN ('followed', 'list', 'none')),
    exclusive      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX lists_account_id_idx ON lists (account_id);

CREATE TABLE list_accounts (
    list_id    INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, account_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX list_accounts_account_id_idx ON list_accounts (account_id);

CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_keys_status_id_idx ON idempotency_keys (status_id);
