-- 0044_reports: reports of accounts (and their statuses) to the moderators.
-- status_ids and rule_ids are arrays: a report names a few, they are read
-- with the report, and a deleted status must not take the evidence out of
-- the report. action_taken_* are set by moderation.

CREATE TABLE reports (
    id                bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids        bigint[]    NOT NULL,
    category          text        NOT NULL CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    comment           text        NOT NULL,
    rule_ids          bigint[]    NOT NULL,
    forwarded         boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    action_taken_at   timestamptz, -- NULL until a moderator acts
    action_taken_by   bigint      REFERENCES accounts (id) ON DELETE SET NULL
);

-- The per-reporter rate limit counts recent reports.
CREATE INDEX reports_account_id_created_at_idx ON reports (account_id, created_at);
CREATE INDEX reports_target_account_id_idx ON reports (target_account_id);
CREATE INDEX reports_action_taken_by_idx ON reports (action_taken_by) WHERE action_taken_by IS NOT NULL;
