-- 0083_polls: a status's poll and its votes. poll_voters holds one row per
-- account that voted, so "one vote per account" is a primary key that a
-- racing second vote hits; poll_votes holds the choices (several for a
-- multiple-choice poll). Counts are computed from the rows when read.

CREATE TABLE polls (
    id          bigint      PRIMARY KEY,
    status_id   bigint      NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
    account_id  bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    options     text[]      NOT NULL,
    multiple    boolean     NOT NULL,
    hide_totals boolean     NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE INDEX polls_account_id_idx ON polls (account_id);

CREATE TABLE poll_voters (
    poll_id    bigint      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (poll_id, account_id)
);

CREATE INDEX poll_voters_account_id_idx ON poll_voters (account_id);

CREATE TABLE poll_votes (
    poll_id    bigint  NOT NULL,
    account_id bigint  NOT NULL,
    choice     integer NOT NULL,
    PRIMARY KEY (poll_id, account_id, choice),
    FOREIGN KEY (poll_id, account_id) REFERENCES poll_voters (poll_id, account_id) ON DELETE CASCADE
);
