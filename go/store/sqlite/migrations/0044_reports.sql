-- 0044_reports: reports of accounts (and their statuses) to the moderators.
-- status_ids and rule_ids are JSON arrays of integers: a report names a
-- few, they are read with the report, and a deleted status must not take
-- the evidence out of the report. action_taken_* are set by moderation.

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids        TEXT    NOT NULL,
    category          TEXT    NOT NULL CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    comment           TEXT    NOT NULL,
    rule_ids          TEXT    NOT NULL,
    forwarded         INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    action_taken_at   INTEGER, -- NULL until a moderator acts
    action_taken_by   INTEGER REFERENCES accounts (id) ON DELETE SET NULL
) STRICT;

-- The per-reporter rate limit counts recent reports.
CREATE INDEX reports_account_id_created_at_idx ON reports (account_id, created_at);
CREATE INDEX reports_target_account_id_idx ON reports (target_account_id);
CREATE INDEX reports_action_taken_by_idx ON reports (action_taken_by) WHERE action_taken_by IS NOT NULL;
