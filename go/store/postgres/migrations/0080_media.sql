-- 0080_media: uploaded media attachments. The files live in the media
-- store (file_key, preview_key); a row without status_id is an upload not
-- yet posted (the cleanup job removes old ones); deleting the status
-- deletes its rows (the files are removed by the service after).

CREATE TABLE media_attachments (
    id           bigint      PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id    bigint      REFERENCES statuses (id) ON DELETE CASCADE,
    position     integer     NOT NULL DEFAULT 0,
    type         text        NOT NULL CHECK (type IN ('image')),
    file_key     text        NOT NULL,
    preview_key  text        NOT NULL,
    content_type text        NOT NULL,
    file_size    bigint      NOT NULL,
    width        integer     NOT NULL,
    height       integer     NOT NULL,
    small_width  integer     NOT NULL,
    small_height integer     NOT NULL,
    blurhash     text        NOT NULL,
    description  text        NOT NULL,
    focus_x      double precision NOT NULL,
    focus_y      double precision NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX media_attachments_status_id_idx ON media_attachments (status_id, position) WHERE status_id IS NOT NULL;
-- The per-account upload rate and cap count recent and unattached uploads.
CREATE INDEX media_attachments_account_id_created_at_idx ON media_attachments (account_id, created_at);
CREATE INDEX media_attachments_created_at_idx ON media_attachments (created_at) WHERE status_id IS NULL;
CREATE INDEX media_attachments_file_key_idx ON media_attachments (file_key);
CREATE INDEX media_attachments_preview_key_idx ON media_attachments (preview_key);
