-- 0083_polls: a status's poll and its votes. poll_voters holds one row per
-- account that voted, so "one vote per account" is a primary key that a
-- racing second vote hits; poll_votes holds the choices (several for a
-- multiple-choice poll). Counts are computed from the rows when read.

CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    status_id   INTEGER NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    options     TEXT    NOT NULL, -- JSON array of strings
    multiple    INTEGER NOT NULL,
    hide_totals INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX polls_account_id_idx ON polls (account_id);

CREATE TABLE poll_voters (
    poll_id    INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, account_id)
) STRICT;

CREATE INDEX poll_voters_account_id_idx ON poll_voters (account_id);

CREATE TABLE poll_votes (
    poll_id    INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    choice     INTEGER NOT NULL,
    PRIMARY KEY (poll_id, account_id, choice),
    FOREIGN KEY (poll_id, account_id) REFERENCES poll_voters (poll_id, account_id) ON DELETE CASCADE
) STRICT;
