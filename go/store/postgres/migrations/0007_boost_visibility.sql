-- 0007_boost_visibility: a boost of a private (or direct) status keeps the
-- original's visibility, as Mastodon's ReblogService stores it. Earlier
-- versions stored a self-boost of a private status as public; the read
-- rule judges every boost with its original anyway (social/visibility.go),
-- and this makes the stored boosts say what they are.

UPDATE statuses r
SET visibility = o.visibility
FROM statuses o
WHERE r.reblog_of_id = o.id
  AND o.visibility IN ('private', 'direct')
  AND r.visibility <> o.visibility;
