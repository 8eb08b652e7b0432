-- 0060_status_edits: editing statuses (PUT /api/v1/statuses/:id). A status
-- keeps its current version in statuses (edited_at set from the first edit
-- on); status_edits keeps every version, the original included, in the
-- order they were written, for GET /api/v1/statuses/:id/history.

ALTER TABLE statuses ADD COLUMN edited_at INTEGER; -- NULL until edited

CREATE TABLE status_edits (
    id           INTEGER PRIMARY KEY,
    status_id    INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text         TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    spoiler_text TEXT    NOT NULL,
    sensitive    INTEGER NOT NULL,
    language     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX status_edits_status_id_id_idx ON status_edits (status_id, id);
