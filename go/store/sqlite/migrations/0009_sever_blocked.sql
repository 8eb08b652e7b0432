-- 0009_sever_blocked: remove what a block should have severed but a race
-- in earlier versions left: follow requests made while a block committed
-- (PutFollowRequest did not check blocks), and follows made by authorizing
-- them, with the list memberships that go with a follow. Follow counts are
-- recounted from the rows that remain.

DELETE FROM follow_requests
WHERE EXISTS (
    SELECT 1 FROM blocks b
    WHERE (b.account_id = follow_requests.account_id AND b.target_account_id = follow_requests.target_account_id)
       OR (b.account_id = follow_requests.target_account_id AND b.target_account_id = follow_requests.account_id));

DELETE FROM list_accounts
WHERE EXISTS (
    SELECT 1 FROM lists l JOIN blocks b
        ON (b.account_id = l.account_id AND b.target_account_id = list_accounts.account_id)
        OR (b.account_id = list_accounts.account_id AND b.target_account_id = l.account_id)
    WHERE l.id = list_accounts.list_id);

DELETE FROM follows
WHERE EXISTS (
    SELECT 1 FROM blocks b
    WHERE (b.account_id = follows.account_id AND b.target_account_id = follows.target_account_id)
       OR (b.account_id = follows.target_account_id AND b.target_account_id = follows.account_id));

UPDATE accounts SET
    followers_count = (SELECT count(*) FROM follows f WHERE f.target_account_id = accounts.id),
    following_count = (SELECT count(*) FROM follows f WHERE f.account_id = accounts.id);
