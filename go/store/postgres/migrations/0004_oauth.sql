-- 0004_oauth: OAuth authorization codes, and full-text search over statuses.

CREATE TABLE auth_codes (
    id                    bigint      PRIMARY KEY,
    app_id                bigint      NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    account_id            bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hash                  bytea       NOT NULL UNIQUE, -- SHA-256 of the code
    redirect_uri          text        NOT NULL,
    scopes                text        NOT NULL,
    code_challenge        text        NOT NULL,        -- '' without PKCE
    code_challenge_method text        NOT NULL,        -- '', 'S256' or 'plain'
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    used_at               timestamptz,                 -- NULL until redeemed
    -- The token issued from the code, so a replayed code can revoke it.
    token_id              bigint      REFERENCES tokens (id) ON DELETE SET NULL
);

CREATE INDEX auth_codes_app_id_idx ON auth_codes (app_id);
CREATE INDEX auth_codes_account_id_idx ON auth_codes (account_id);
CREATE INDEX auth_codes_token_id_idx ON auth_codes (token_id);
CREATE INDEX auth_codes_expires_at_idx ON auth_codes (expires_at);

-- Full-text search: a generated tsvector and a GIN index. The 'simple'
-- configuration lower-cases without stemming or stop words, because
-- statuses come in every language (and SQLite's unicode61 does the same).
-- Adding a stored generated column rewrites statuses once, here.
ALTER TABLE statuses ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', spoiler_text || ' ' || text)) STORED;
CREATE INDEX statuses_search_vector_idx ON statuses USING gin (search_vector);
