-- 0061_notification_groups: grouped notifications (GET /api/v2/notifications)
-- and the `update` type (a status the recipient boosted was edited).
--
-- group_key is the group a notification joins when it is written ('' for
-- the types never grouped, and for rows written before this migration: the
-- API shows those as ungrouped-<id>).

ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
    CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status', 'update'));
ALTER TABLE notifications ADD COLUMN group_key text NOT NULL DEFAULT '';

CREATE INDEX notifications_account_id_group_key_idx ON notifications (account_id, group_key, id DESC) WHERE group_key <> '';
