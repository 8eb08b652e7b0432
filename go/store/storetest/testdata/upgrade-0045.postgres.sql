-- Rows as Starling wrote them with the schema of migration 0045 (the
-- migrations main had at commit c9b86d8), in PostgreSQL's types: the data the
-- upgrade test (storetest.RunUpgrade) migrates and then reads through the
-- current code. Times are timestamptz.
INSERT INTO accounts (id, username, display_name, note, password_hash, locked, bot, discoverable, created_at,
    followers_count, following_count, statuses_count, last_status_at) VALUES
    (1001, 'alice', 'Alice', 'hi', '$argon2id$old', false, false, true, '2025-12-06 00:00:00+00', 1, 1, 3, '2025-12-06 00:00:30+00'),
    (1002, 'bob', 'Bob', '', '$argon2id$old', false, false, true, '2025-12-06 00:00:01+00', 1, 1, 2, '2025-12-06 00:00:40+00');
INSERT INTO apps (id, name, website, redirect_uris, scopes, client_id, client_secret, created_at) VALUES
    (7001, 'old client', '', 'urn:ietf:wg:oauth:2.0:oob', 'read write', 'client-7001', 'secret-7001', '2025-12-06 00:00:00+00');
INSERT INTO tokens (id, app_id, account_id, hash, scopes, created_at) VALUES
    (7002, 7001, 1002, '\x0101010101010101010101010101010101010101010101010101010101010101'::bytea, 'read write', '2025-12-06 00:00:00+00');
INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at) VALUES
    (4001, 1002, 1001, true, false, '2025-12-06 00:00:02+00'),
    (4002, 1001, 1002, true, false, '2025-12-06 00:00:03+00');
INSERT INTO statuses (id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id, text, content, spoiler_text,
    sensitive, visibility, language, created_at, replies_count, reblogs_count, favourites_count) VALUES
    (2001, 1001, NULL, NULL, NULL, 'first post #coffee', '<p>first post #coffee</p>', '', false, 'public', 'en', '2025-12-06 00:00:10+00', 1, 1, 1),
    (2002, 1002, 2001, 1001, NULL, '@alice welcome', '<p>@alice welcome</p>', '', false, 'public', 'en', '2025-12-06 00:00:20+00', 0, 0, 0),
    (2003, 1001, NULL, NULL, NULL, '@bob a secret', '<p>@bob a secret</p>', 'private', true, 'direct', 'en', '2025-12-06 00:00:30+00', 0, 0, 0),
    (2004, 1002, NULL, NULL, 2001, '', '', '', false, 'public', 'en', '2025-12-06 00:00:40+00', 0, 0, 0),
    (2005, 1001, NULL, NULL, NULL, 'followers only', '<p>followers only</p>', '', false, 'private', 'en', '2025-12-06 00:00:25+00', 0, 0, 0);
INSERT INTO status_mentions (status_id, account_id) VALUES (2002, 1001), (2003, 1002);
INSERT INTO status_tags (status_id, name) VALUES (2001, 'coffee');
INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (3001, 1002, 2001, '2025-12-06 00:00:21+00');
INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES (3002, 1002, 2001, '2025-12-06 00:00:22+00');
INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) VALUES
    (5001, 1001, 1002, 'follow', NULL, '2025-12-06 00:00:02+00'),
    (5002, 1001, 1002, 'mention', 2002, '2025-12-06 00:00:20+00'),
    (5003, 1001, 1002, 'favourite', 2001, '2025-12-06 00:00:21+00'),
    (5004, 1002, 1001, 'mention', 2003, '2025-12-06 00:00:30+00'),
    (5005, 1001, 1002, 'reblog', 2001, '2025-12-06 00:00:40+00');
INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) VALUES
    (8001, 1001, 'friends', 'list', false, '2025-12-06 00:00:04+00');
INSERT INTO list_accounts (list_id, account_id) VALUES (8001, 1002);
INSERT INTO reports (id, account_id, target_account_id, status_ids, category, comment, rule_ids, forwarded, created_at) VALUES
    (6001, 1001, 1002, '{2002}', 'spam', 'too friendly', '{}', false, '2025-12-06 00:00:50+00');
