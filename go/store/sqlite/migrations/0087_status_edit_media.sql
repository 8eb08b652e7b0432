-- 0087_status_edit_media: the media of each version of an edited status,
-- as Mastodon keeps them (ordered_media_attachment_ids, media_descriptions):
-- a JSON array of {"id", "description"} in the author's order, the
-- description as it was in that version. Versions written before this
-- migration have none.

ALTER TABLE status_edits ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
