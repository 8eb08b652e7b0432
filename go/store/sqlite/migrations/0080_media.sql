-- 0080_media: uploaded media attachments. The files live in the media
-- store (file_key, preview_key); a row without status_id is an upload not
-- yet posted (the cleanup job removes old ones); deleting the status
-- deletes its rows (the files are removed by the service after).

CREATE TABLE media_attachments (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id    INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL DEFAULT 0,
    type         TEXT    NOT NULL CHECK (type IN ('image')),
    file_key     TEXT    NOT NULL,
    preview_key  TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    file_size    INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    small_width  INTEGER NOT NULL,
    small_height INTEGER NOT NULL,
    blurhash     TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    focus_x      REAL    NOT NULL,
    focus_y      REAL    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX media_attachments_status_id_idx ON media_attachments (status_id, position) WHERE status_id IS NOT NULL;
-- The per-account upload rate and cap count recent and unattached uploads.
CREATE INDEX media_attachments_account_id_created_at_idx ON media_attachments (account_id, created_at);
CREATE INDEX media_attachments_created_at_idx ON media_attachments (created_at) WHERE status_id IS NULL;
CREATE INDEX media_attachments_file_key_idx ON media_attachments (file_key);
CREATE INDEX media_attachments_preview_key_idx ON media_attachments (preview_key);
