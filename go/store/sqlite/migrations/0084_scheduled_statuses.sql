-- 0084_scheduled_statuses: statuses posted for later. claimed_until is the
-- lease of the server process publishing one (0: unclaimed); the row is
-- deleted in the transaction that publishes it.

CREATE TABLE scheduled_statuses (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at  INTEGER NOT NULL,
    params        TEXT    NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX scheduled_statuses_account_id_idx ON scheduled_statuses (account_id, scheduled_at);
CREATE INDEX scheduled_statuses_scheduled_at_idx ON scheduled_statuses (scheduled_at);
