-- 0084_scheduled_statuses: statuses posted for later. claimed_until is the
-- lease of the server process publishing one; the row is deleted in the
-- transaction that publishes it.

CREATE TABLE scheduled_statuses (
    id            bigint      PRIMARY KEY,
    account_id    bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at  timestamptz NOT NULL,
    params        text        NOT NULL,
    claimed_until timestamptz NOT NULL DEFAULT 'epoch',
    created_at    timestamptz NOT NULL
);

CREATE INDEX scheduled_statuses_account_id_idx ON scheduled_statuses (account_id, scheduled_at);
CREATE INDEX scheduled_statuses_scheduled_at_idx ON scheduled_statuses (scheduled_at);
