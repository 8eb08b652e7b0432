-- 0086_scheduled_media: media and Idempotency-Key of scheduled statuses,
-- as Mastodon has them. An upload named by a scheduled status is reserved
-- for it (scheduled_status_id): no other status may take it and the
-- clean-up of unposted uploads keeps it; publishing attaches it, and
-- cancelling frees it (SET NULL) to be cleaned up later. idempotency_key is
-- the key of the request that scheduled the status, live for an hour after
-- created_at.

ALTER TABLE media_attachments ADD COLUMN scheduled_status_id bigint
    REFERENCES scheduled_statuses (id) ON DELETE SET NULL;
CREATE INDEX media_attachments_scheduled_status_id_idx ON media_attachments (scheduled_status_id, position)
    WHERE scheduled_status_id IS NOT NULL;

ALTER TABLE scheduled_statuses ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX scheduled_statuses_idempotency_key_idx ON scheduled_statuses (account_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
