-- 0003_interactions: reblogs, reply threads and counts on statuses; mentions,
-- tags, favourites, bookmarks, notifications, lists and idempotency keys.
--
-- Counts live on the statuses row and are changed by the store in the
-- transaction that writes or deletes the rows they count; the row lock of
-- that UPDATE is what keeps them exact under concurrent writers.

ALTER TABLE statuses
    ADD COLUMN in_reply_to_account_id bigint, -- NULL when not a reply
    ADD COLUMN reblog_of_id           bigint, -- NULL when not a reblog; deleted with the original by the store
    ADD COLUMN replies_count          bigint NOT NULL DEFAULT 0,
    ADD COLUMN reblogs_count          bigint NOT NULL DEFAULT 0,
    ADD COLUMN favourites_count       bigint NOT NULL DEFAULT 0;

-- One reblog per account and original; reblogged_by pages by reblog ID.
CREATE UNIQUE INDEX statuses_account_id_reblog_of_id_idx ON statuses (account_id, reblog_of_id)
    WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_reblog_of_id_id_idx ON statuses (reblog_of_id, id) WHERE reblog_of_id IS NOT NULL;
-- Context: the replies to a status.
CREATE INDEX statuses_in_reply_to_id_idx ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
-- The public timeline walks public statuses newest first.
CREATE INDEX statuses_public_id_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL;

CREATE TABLE status_mentions (
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);

CREATE INDEX status_mentions_account_id_idx ON status_mentions (account_id, status_id);

CREATE TABLE status_tags (
    status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    name      text   NOT NULL, -- lower case, no '#'
    PRIMARY KEY (status_id, name)
);

-- Hashtag timelines: a tag's statuses, newest first.
CREATE INDEX status_tags_name_status_id_idx ON status_tags (name, status_id DESC);

CREATE TABLE favourites (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, status_id)
);

CREATE INDEX favourites_status_id_id_idx ON favourites (status_id, id);
CREATE INDEX favourites_account_id_id_idx ON favourites (account_id, id);

CREATE TABLE bookmarks (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, status_id)
);

CREATE INDEX bookmarks_status_id_idx ON bookmarks (status_id);
CREATE INDEX bookmarks_account_id_id_idx ON bookmarks (account_id, id);

CREATE TABLE notifications (
    id              bigint      PRIMARY KEY,
    account_id      bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, -- recipient
    from_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            text        NOT NULL CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status')),
    status_id       bigint      REFERENCES statuses (id) ON DELETE CASCADE, -- NULL for follows
    created_at      timestamptz NOT NULL
);

CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC);
CREATE INDEX notifications_status_id_idx ON notifications (status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account_id_idx ON notifications (from_account_id);

CREATE TABLE lists (
    id             bigint      PRIMARY KEY,
    account_id     bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title          text        NOT NULL,
    replies_policy text        NOT NULL CHECK (replies_policy IN ('followed', 'list', 'none')),
    exclusive      boolean     NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE INDEX lists_account_id_idx ON lists (account_id);

CREATE TABLE list_accounts (
    list_id    bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, account_id)
);

CREATE INDEX list_accounts_account_id_idx ON list_accounts (account_id);

CREATE TABLE idempotency_keys (
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        text        NOT NULL,
    status_id  bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE INDEX idempotency_keys_status_id_idx ON idempotency_keys (status_id);
