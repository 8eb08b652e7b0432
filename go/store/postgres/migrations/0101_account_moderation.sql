-- 0101_account_moderation: moderators suspend and silence (Mastodon's
-- "limit") accounts; both are reversible, so they are times on the account
-- (NULL: not in force), never deletions. The visibility rule reads the
-- instance's whole suspended and silenced sets with every batch
-- (GetViewerRelations), so each has a partial index holding only them.
-- The audit log learns who acted (the admin listener's caller names itself)
-- and which announcement an action published or withdrew (0: none), or
-- which plugin, index or feed strategy an operator's action named ('': none).

ALTER TABLE accounts ADD COLUMN suspended_at timestamptz; -- NULL: not suspended
ALTER TABLE accounts ADD COLUMN silenced_at  timestamptz; -- NULL: not silenced
CREATE INDEX accounts_suspended_idx ON accounts (id) WHERE suspended_at IS NOT NULL;
CREATE INDEX accounts_silenced_idx  ON accounts (id) WHERE silenced_at IS NOT NULL;

ALTER TABLE admin_actions ADD COLUMN actor text NOT NULL DEFAULT '';
ALTER TABLE admin_actions ADD COLUMN announcement_id bigint NOT NULL DEFAULT 0;
ALTER TABLE admin_actions ADD COLUMN target_name text NOT NULL DEFAULT '';
