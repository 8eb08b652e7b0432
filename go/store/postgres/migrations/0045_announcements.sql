-- 0045_announcements: the operator's announcements, who dismissed them and
-- the emoji reactions to them (both go with their announcement).

CREATE TABLE announcements (
    id           bigint      PRIMARY KEY,
    text         text        NOT NULL,
    content      text        NOT NULL,
    starts_at    timestamptz, -- NULL: from publication
    ends_at      timestamptz, -- NULL: until deleted
    all_day      boolean     NOT NULL,
    published_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE announcement_dismissals (
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, announcement_id)
);

CREATE INDEX announcement_dismissals_announcement_id_idx ON announcement_dismissals (announcement_id);

CREATE TABLE announcement_reactions (
    announcement_id bigint      NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id      bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);

CREATE INDEX announcement_reactions_account_id_idx ON announcement_reactions (account_id);
