-- 0085_poll_notifications: the `poll` notification (a poll the recipient
-- voted in or created has ended). polls.notified marks a poll whose end
-- was notified, set in the transaction that writes the notifications, so
-- each poll's end is notified once. Polls already ended count as notified.

ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
    CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status', 'update', 'poll'));

ALTER TABLE polls ADD COLUMN notified boolean NOT NULL DEFAULT false;
UPDATE polls SET notified = true WHERE expires_at <= now();
CREATE INDEX polls_unnotified_expires_at_idx ON polls (expires_at) WHERE NOT notified;
