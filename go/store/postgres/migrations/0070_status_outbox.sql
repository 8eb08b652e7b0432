-- 0070_status_outbox: statuses whose delivery (home fan-out, streaming,
-- search index) is pending, written in the status's transaction and
-- claimed under a lease (available_at) by the process that delivers them.

CREATE TABLE status_outbox (
    status_id    bigint      PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    available_at timestamptz NOT NULL,
    attempts     integer     NOT NULL DEFAULT 0
);

CREATE INDEX status_outbox_available ON status_outbox (available_at);
