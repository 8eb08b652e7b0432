-- 0100_admin_actions: the audit log of what moderators did through the
-- admin listener (delete a status, resolve a report, ...), newest first.
-- Targets are plain numbers, not foreign keys: the log outlives what it
-- names (a deleted status is the usual case). 0 means none.

CREATE TABLE admin_actions (
    id                bigint      PRIMARY KEY,
    created_at        timestamptz NOT NULL,
    action            text        NOT NULL,
    target_account_id bigint      NOT NULL,
    target_status_id  bigint      NOT NULL,
    report_id         bigint      NOT NULL,
    reason            text        NOT NULL
);
