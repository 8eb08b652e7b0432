-- 0081_profile_images: an account's avatar and header, as keys in the media
-- file store ('' for none: the bundled images are shown). The files are
-- shared with media attachments by content, so a file is removed only when
-- neither names it.

ALTER TABLE accounts ADD COLUMN avatar_key TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN header_key TEXT NOT NULL DEFAULT '';

-- Whether a file is still used is asked when media are deleted.
CREATE INDEX accounts_avatar_key_idx ON accounts (avatar_key) WHERE avatar_key <> '';
CREATE INDEX accounts_header_key_idx ON accounts (header_key) WHERE header_key <> '';
