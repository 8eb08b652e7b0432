-- 0008_hidden_counts: recount what earlier versions counted too widely.
-- statuses_count and last_status_at leave out direct statuses, and
-- replies_count counts only public and unlisted replies, as Mastodon
-- counts, so no count reveals a status its reader may not see; writes keep
-- them so from now on (store.Visibility.CountsOnProfile, CountsAsReply).
-- last_status_at is the newest counted status still stored, so it may move
-- back where the newest was deleted.

UPDATE accounts SET
    statuses_count = (SELECT count(*) FROM statuses s
                      WHERE s.account_id = accounts.id AND s.visibility <> 'direct'),
    last_status_at = (SELECT max(s.created_at) FROM statuses s
                      WHERE s.account_id = accounts.id AND s.visibility <> 'direct');

-- Only statuses with replies can change (the new count is a subset of the
-- old), so the rest are not rewritten.
UPDATE statuses SET replies_count = (
    SELECT count(*) FROM statuses r
    WHERE r.in_reply_to_id = statuses.id AND r.visibility IN ('public', 'unlisted'))
WHERE replies_count > 0;
