-- 0106_conversations_backfill: direct statuses written before 0051 (which
-- added conversations without filling them) join their conversations, as
-- store.ConversationRecipients would have placed them when posted: for the
-- author and each account mentioned, the conversation of the thread among
-- the same participants. They are old, so they are marked read. Statuses
-- already in a conversation are skipped: on a database that started at or
-- after 0051 this changes nothing.

CREATE TEMP TABLE backfill_members AS
    SELECT s.id AS status_id, s.account_id, s.conversation_id FROM statuses s
    WHERE s.visibility = 'direct' AND s.reblog_of_id IS NULL AND s.conversation_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM account_conversation_statuses cs WHERE cs.status_id = s.id)
    UNION
    SELECT s.id, m.account_id, s.conversation_id FROM statuses s JOIN status_mentions m ON m.status_id = s.id
    WHERE s.visibility = 'direct' AND s.reblog_of_id IS NULL AND s.conversation_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM account_conversation_statuses cs WHERE cs.status_id = s.id);

CREATE TEMP TABLE backfill_recipients AS
    SELECT r.status_id, r.account_id, r.conversation_id,
        coalesce((SELECT group_concat(o.account_id, ',' ORDER BY o.account_id) FROM backfill_members o
                  WHERE o.status_id = r.status_id AND o.account_id <> r.account_id), '') AS participant_ids
    FROM backfill_members r;

INSERT INTO account_conversations (account_id, conversation_id, participant_ids, last_status_id, unread)
    SELECT account_id, conversation_id, participant_ids, max(status_id), 0 FROM backfill_recipients
    WHERE true -- (SQLite: an upsert's SELECT needs a WHERE)
    GROUP BY account_id, conversation_id, participant_ids
    ON CONFLICT (account_id, conversation_id, participant_ids) DO UPDATE SET
        last_status_id = max(last_status_id, excluded.last_status_id);

INSERT INTO account_conversation_statuses (account_conversation_id, status_id)
    SELECT c.id, r.status_id FROM backfill_recipients r
    JOIN account_conversations c ON c.account_id = r.account_id AND c.conversation_id = r.conversation_id
        AND c.participant_ids = r.participant_ids
    WHERE true
    ON CONFLICT DO NOTHING;

DROP TABLE backfill_recipients;
DROP TABLE backfill_members;
