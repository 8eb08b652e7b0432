-- 0082_profile_fields: an account's profile fields (Mastodon's
-- fields_attributes), a JSON array of {"name", "value"} objects, at most a
-- few, always read and written with the account.

ALTER TABLE accounts ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';
