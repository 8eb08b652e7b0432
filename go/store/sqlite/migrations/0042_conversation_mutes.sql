-- 0042_conversation_mutes: every status belongs to a conversation, the
-- thread it started or replied into, and accounts can mute conversations.
--
-- conversation_id is the parent's conversation, or the status's own id for
-- a status that replies to nothing (or to a status already gone). It is set
-- once, when the status is inserted, by the trigger below, so that every
-- writer of statuses gets it without knowing of it, and it stays when
-- statuses of the thread are deleted (as Mastodon's conversation_id does).
-- SQLite cannot change NEW in a BEFORE trigger, hence the UPDATE after.

ALTER TABLE statuses ADD COLUMN conversation_id INTEGER;

-- The statuses already stored: walk each thread down from its root.
WITH RECURSIVE thread (id, root) AS (
    SELECT id, id FROM statuses s
    WHERE in_reply_to_id IS NULL OR NOT EXISTS (SELECT 1 FROM statuses p WHERE p.id = s.in_reply_to_id)
    UNION ALL
    SELECT s.id, thread.root FROM statuses s JOIN thread ON s.in_reply_to_id = thread.id
)
UPDATE statuses SET conversation_id = thread.root FROM thread WHERE thread.id = statuses.id;

CREATE TRIGGER statuses_conversation_id AFTER INSERT ON statuses WHEN new.conversation_id IS NULL BEGIN
    UPDATE statuses SET conversation_id = coalesce(
        (SELECT p.conversation_id FROM statuses p WHERE p.id = new.in_reply_to_id), new.id)
    WHERE id = new.id;
END;

-- A mute names the conversation, not a status: it holds for statuses
-- posted into the thread later, and outlives the status it was made on.
CREATE TABLE conversation_mutes (
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, conversation_id)
) STRICT, WITHOUT ROWID;
