-- 0006_pins: statuses pinned to their author's profile. A pin goes with its
-- status or account. Pins are listed per account, newest pin (highest id)
-- first, and looked up by (account, status) for the Status entity's
-- "pinned"; the unique index serves both. The status side is indexed for
-- the cascade (PostgreSQL does not index a referencing column by itself).

CREATE TABLE status_pins (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint      NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, status_id)
);

CREATE INDEX status_pins_status_id_idx ON status_pins (status_id);
