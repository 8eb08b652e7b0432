-- 0100_admin_actions: the audit log of what moderators did through the
-- admin listener (delete a status, resolve a report, ...), newest first.
-- Targets are plain numbers, not foreign keys: the log outlives what it
-- names (a deleted status is the usual case). 0 means none.

CREATE TABLE admin_actions (
    id                INTEGER PRIMARY KEY,
    created_at        INTEGER NOT NULL,
    action            TEXT    NOT NULL,
    target_account_id INTEGER NOT NULL,
    target_status_id  INTEGER NOT NULL,
    report_id         INTEGER NOT NULL,
    reason            TEXT    NOT NULL
) STRICT;
