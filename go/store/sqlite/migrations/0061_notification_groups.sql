-- 0061_notification_groups: grouped notifications (GET /api/v2/notifications)
-- and the `update` type (a status the recipient boosted was edited).
--
-- group_key is the group a notification joins when it is written ('' for
-- the types never grouped, and for rows written before this migration: the
-- API shows those as ungrouped-<id>). SQLite cannot alter a CHECK
-- constraint, so the table is rebuilt; nothing references notifications.

CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, -- recipient
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status', 'update')),
    status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE, -- NULL for follows
    created_at      INTEGER NOT NULL,
    group_key       TEXT    NOT NULL DEFAULT ''
) STRICT;

INSERT INTO notifications_new (id, account_id, from_account_id, type, status_id, created_at)
SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications;

DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;

CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC);
CREATE INDEX notifications_status_id_idx ON notifications (status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account_id_idx ON notifications (from_account_id);
CREATE INDEX notifications_account_id_group_key_idx ON notifications (account_id, group_key, id DESC) WHERE group_key <> '';
