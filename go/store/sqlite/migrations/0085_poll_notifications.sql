-- 0085_poll_notifications: the `poll` notification (a poll the recipient
-- voted in or created has ended). polls.notified marks a poll whose end
-- was notified, set in the transaction that writes the notifications, so
-- each poll's end is notified once. Polls already ended count as notified.
-- SQLite cannot alter a CHECK constraint, so notifications is rebuilt
-- (as 0061 did); nothing references it.

CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, -- recipient
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status', 'update', 'poll')),
    status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE, -- NULL for follows
    created_at      INTEGER NOT NULL,
    group_key       TEXT    NOT NULL DEFAULT ''
) STRICT;

INSERT INTO notifications_new (id, account_id, from_account_id, type, status_id, created_at, group_key)
SELECT id, account_id, from_account_id, type, status_id, created_at, group_key FROM notifications;

DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;

CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC);
CREATE INDEX notifications_status_id_idx ON notifications (status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account_id_idx ON notifications (from_account_id);
CREATE INDEX notifications_account_id_group_key_idx ON notifications (account_id, group_key, id DESC) WHERE group_key <> '';

ALTER TABLE polls ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
UPDATE polls SET notified = 1 WHERE expires_at <= CAST(unixepoch('subsec') * 1000000 AS INTEGER);
CREATE INDEX polls_unnotified_expires_at_idx ON polls (expires_at) WHERE notified = 0;
