-- 0007_boost_visibility: a boost of a private (or direct) status keeps the
-- original's visibility, as Mastodon's ReblogService stores it. Earlier
-- versions stored a self-boost of a private status as public; the read
-- rule judges every boost with its original anyway (social/visibility.go),
-- and this makes the stored boosts say what they are.

UPDATE statuses
SET visibility = (SELECT o.visibility FROM statuses o WHERE o.id = statuses.reblog_of_id)
WHERE reblog_of_id IN (SELECT id FROM statuses WHERE visibility IN ('private', 'direct'))
  AND visibility <> (SELECT o.visibility FROM statuses o WHERE o.id = statuses.reblog_of_id);
