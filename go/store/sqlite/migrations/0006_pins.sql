-- 0006_pins: statuses pinned to their author's profile. A pin goes with its
-- status or account. Pins are listed per account, newest pin (highest id)
-- first, and looked up by (account, status) for the Status entity's
-- "pinned"; the unique index serves both.

CREATE TABLE status_pins (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
) STRICT;

CREATE INDEX status_pins_status_id_idx ON status_pins (status_id);
