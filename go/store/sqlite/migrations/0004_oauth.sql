-- 0004_oauth: OAuth authorization codes, and full-text search over statuses.

CREATE TABLE auth_codes (
    id                    INTEGER PRIMARY KEY,
    app_id                INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    account_id            INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hash                  BLOB    NOT NULL UNIQUE, -- SHA-256 of the code
    redirect_uri          TEXT    NOT NULL,
    scopes                TEXT    NOT NULL,
    code_challenge        TEXT    NOT NULL,        -- '' without PKCE
    code_challenge_method TEXT    NOT NULL,        -- '', 'S256' or 'plain'
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    used_at               INTEGER,                 -- NULL until redeemed
    -- The token issued from the code, so a replayed code can revoke it.
    token_id              INTEGER REFERENCES tokens (id) ON DELETE SET NULL
) STRICT;

CREATE INDEX auth_codes_app_id_idx ON auth_codes (app_id);
CREATE INDEX auth_codes_account_id_idx ON auth_codes (account_id);
CREATE INDEX auth_codes_token_id_idx ON auth_codes (token_id);
CREATE INDEX auth_codes_expires_at_idx ON auth_codes (expires_at);

-- Full-text search: an external-content FTS4 table over statuses, kept in
-- step by triggers. FTS4, not FTS5: go-sqlite3 compiles FTS5 only under the
-- sqlite_fts5 build tag, and a schema that needs a tag would break every
-- plain `go build`/`go test`. unicode61 folds case; remove_diacritics=0
-- keeps accents significant, as PostgreSQL's 'simple' configuration does.
CREATE VIRTUAL TABLE statuses_fts USING fts4 (
    content="statuses", spoiler_text, text, tokenize=unicode61 "remove_diacritics=0"
);

-- External content: the old row must still be in statuses when its index
-- entries are removed, hence BEFORE for deletes and AFTER for inserts.
CREATE TRIGGER statuses_fts_before_delete BEFORE DELETE ON statuses BEGIN
    DELETE FROM statuses_fts WHERE docid = old.id;
END;
CREATE TRIGGER statuses_fts_before_update BEFORE UPDATE OF text, spoiler_text ON statuses BEGIN
    DELETE FROM statuses_fts WHERE docid = old.id;
END;
CREATE TRIGGER statuses_fts_after_update AFTER UPDATE OF text, spoiler_text ON statuses BEGIN
    INSERT INTO statuses_fts (docid, spoiler_text, text) VALUES (new.id, new.spoiler_text, new.text);
END;
CREATE TRIGGER statuses_fts_after_insert AFTER INSERT ON statuses BEGIN
    INSERT INTO statuses_fts (docid, spoiler_text, text) VALUES (new.id, new.spoiler_text, new.text);
END;

-- Index what was posted before this migration.
INSERT INTO statuses_fts (statuses_fts) VALUES ('rebuild');
