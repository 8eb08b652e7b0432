-- 0070_status_outbox: statuses whose delivery (home fan-out, streaming,
-- search index) is pending, written in the status's transaction and
-- claimed under a lease (available_at) by the process that delivers them.

CREATE TABLE status_outbox (
    status_id    INTEGER PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    available_at INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX status_outbox_available ON status_outbox (available_at);
