-- 0020_moderation: what the policy plugins decided. flagged_statuses holds
-- each plugin's flag on a stored status (written with the status, gone
-- with it; the unique index serves the cascade), listed newest first. policy_decisions is
-- the audit log of every decision other than allow, with the plugin's name
-- and version; its statuses and accounts are plain numbers, not foreign
-- keys, because the log outlives them (and a rejected status never existed).

CREATE TABLE flagged_statuses (
    id             bigint      PRIMARY KEY,
    status_id      bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id     bigint      NOT NULL,
    plugin         text        NOT NULL,
    plugin_version text        NOT NULL,
    reason         text        NOT NULL,
    created_at     timestamptz NOT NULL,
    UNIQUE (status_id, plugin)
);

CREATE TABLE policy_decisions (
    id             bigint      PRIMARY KEY,
    created_at     timestamptz NOT NULL,
    plugin         text        NOT NULL,
    plugin_version text        NOT NULL,
    hook           text        NOT NULL,
    verdict        text        NOT NULL,
    reason         text        NOT NULL,
    account_id     bigint      NOT NULL,
    status_id      bigint      NOT NULL
);
