-- 0020_moderation: what the policy plugins decided. flagged_statuses holds
-- each plugin's flag on a stored status (written with the status, gone
-- with it; the unique index serves the cascade), listed newest first. policy_decisions is
-- the audit log of every decision other than allow, with the plugin's name
-- and version; its statuses and accounts are plain numbers, not foreign
-- keys, because the log outlives them (and a rejected status never existed).

CREATE TABLE flagged_statuses (
    id             INTEGER PRIMARY KEY,
    status_id      INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL,
    plugin         TEXT    NOT NULL,
    plugin_version TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (status_id, plugin)
) STRICT;

CREATE TABLE policy_decisions (
    id             INTEGER PRIMARY KEY,
    created_at     INTEGER NOT NULL,
    plugin         TEXT    NOT NULL,
    plugin_version TEXT    NOT NULL,
    hook           TEXT    NOT NULL,
    verdict        TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    account_id     INTEGER NOT NULL,
    status_id      INTEGER NOT NULL
) STRICT;
