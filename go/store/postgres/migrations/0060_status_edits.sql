-- 0060_status_edits: editing statuses (PUT /api/v1/statuses/:id). A status
-- keeps its current version in statuses (edited_at set from the first edit
-- on); status_edits keeps every version, the original included, in the
-- order they were written, for GET /api/v1/statuses/:id/history.

ALTER TABLE statuses ADD COLUMN edited_at timestamptz; -- NULL until edited

CREATE TABLE status_edits (
    id           bigint      PRIMARY KEY,
    status_id    bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text         text        NOT NULL,
    content      text        NOT NULL,
    spoiler_text text        NOT NULL,
    sensitive    boolean     NOT NULL,
    language     text        NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX status_edits_status_id_id_idx ON status_edits (status_id, id);
