-- 0041_tag_follows: followed hashtags (their public statuses reach the
-- follower's home) and hashtags featured on profiles. Followed tags are
-- listed per account by id and looked up by name (who follows a tag);
-- featured tags are a handful per account.

CREATE TABLE tag_follows (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       text        NOT NULL, -- lower case, no '#'
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, name)
);

CREATE INDEX tag_follows_account_id_id_idx ON tag_follows (account_id, id);
CREATE INDEX tag_follows_name_idx ON tag_follows (name);

CREATE TABLE featured_tags (
    id         bigint      PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       text        NOT NULL, -- lower case, no '#'
    created_at timestamptz NOT NULL,
    UNIQUE (account_id, name)
);
