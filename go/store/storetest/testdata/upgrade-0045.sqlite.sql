-- Rows as Starling wrote them with the schema of migration 0045 (the
-- migrations main had at commit c9b86d8), in SQLite's types: the data the
-- upgrade test (storetest.RunUpgrade) migrates and then reads through the
-- current code. Times are microseconds since the epoch (2025-12-06 UTC).
INSERT INTO accounts (id, username, display_name, note, password_hash, locked, bot, discoverable, created_at,
    followers_count, following_count, statuses_count, last_status_at) VALUES
    (1001, 'alice', 'Alice', 'hi', '$argon2id$old', 0, 0, 1, 1764979200000000, 1, 1, 3, 1764979230000000),
    (1002, 'bob', 'Bob', '', '$argon2id$old', 0, 0, 1, 1764979201000000, 1, 1, 2, 1764979240000000);
INSERT INTO apps (id, name, website, redirect_uris, scopes, client_id, client_secret, created_at) VALUES
    (7001, 'old client', '', 'urn:ietf:wg:oauth:2.0:oob', 'read write', 'client-7001', 'secret-7001', 1764979200000000);
INSERT INTO tokens (id, app_id, account_id, hash, scopes, created_at) VALUES
    (7002, 7001, 1002, X'0101010101010101010101010101010101010101010101010101010101010101', 'read write', 1764979200000000);
INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at) VALUES
    (4001, 1002, 1001, 1, 0, 1764979202000000),
    (4002, 1001, 1002, 1, 0, 1764979203000000);
INSERT INTO statuses (id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id, text, content, spoiler_text,
    sensitive, visibility, language, created_at, replies_count, reblogs_count, favourites_count) VALUES
    (2001, 1001, NULL, NULL, NULL, 'first post #coffee', '<p>first post #coffee</p>', '', 0, 'public', 'en', 1764979210000000, 1, 1, 1),
    (2002, 1002, 2001, 1001, NULL, '@alice welcome', '<p>@alice welcome</p>', '', 0, 'public', 'en', 1764979220000000, 0, 0, 0),
    (2003, 1001, NULL, NULL, NULL, '@bob a secret', '<p>@bob a secret</p>', 'private', 1, 'direct', 'en', 1764979230000000, 0, 0, 0),
    (2004, 1002, NULL, NULL, 2001, '', '', '', 0, 'public', 'en', 1764979240000000, 0, 0, 0),
    (2005, 1001, NULL, NULL, NULL, 'followers only', '<p>followers only</p>', '', 0, 'private', 'en', 1764979225000000, 0, 0, 0);
INSERT INTO status_mentions (status_id, account_id) VALUES (2002, 1001), (2003, 1002);
INSERT INTO status_tags (status_id, name) VALUES (2001, 'coffee');
INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (3001, 1002, 2001, 1764979221000000);
INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES (3002, 1002, 2001, 1764979222000000);
INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) VALUES
    (5001, 1001, 1002, 'follow', NULL, 1764979202000000),
    (5002, 1001, 1002, 'mention', 2002, 1764979220000000),
    (5003, 1001, 1002, 'favourite', 2001, 1764979221000000),
    (5004, 1002, 1001, 'mention', 2003, 1764979230000000),
    (5005, 1001, 1002, 'reblog', 2001, 1764979240000000);
INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) VALUES
    (8001, 1001, 'friends', 'list', 0, 1764979204000000);
INSERT INTO list_accounts (list_id, account_id) VALUES (8001, 1002);
INSERT INTO reports (id, account_id, target_account_id, status_ids, category, comment, rule_ids, forwarded, created_at) VALUES
    (6001, 1001, 1002, '[2002]', 'spam', 'too friendly', '[]', 0, 1764979250000000);
