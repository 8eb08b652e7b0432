-- 0042_conversation_mutes: every status belongs to a conversation, the
-- thread it started or replied into, and accounts can mute conversations.
--
-- conversation_id is the parent's conversation, or the status's own id for
-- a status that replies to nothing (or to a status already gone). It is set
-- once, when the status is inserted, by the trigger below, so that every
-- writer of statuses gets it without knowing of it, and it stays when
-- statuses of the thread are deleted (as Mastodon's conversation_id does).

ALTER TABLE statuses ADD COLUMN conversation_id bigint;

-- The statuses already stored: walk each thread down from its root.
WITH RECURSIVE thread (id, root) AS (
    SELECT id, id FROM statuses s
    WHERE in_reply_to_id IS NULL OR NOT EXISTS (SELECT 1 FROM statuses p WHERE p.id = s.in_reply_to_id)
    UNION ALL
    SELECT s.id, thread.root FROM statuses s JOIN thread ON s.in_reply_to_id = thread.id
)
UPDATE statuses SET conversation_id = thread.root FROM thread WHERE thread.id = statuses.id;

CREATE FUNCTION statuses_set_conversation_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.conversation_id IS NULL THEN
        SELECT p.conversation_id INTO NEW.conversation_id FROM statuses p WHERE p.id = NEW.in_reply_to_id;
        NEW.conversation_id := coalesce(NEW.conversation_id, NEW.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER statuses_conversation_id BEFORE INSERT ON statuses
    FOR EACH ROW EXECUTE FUNCTION statuses_set_conversation_id();

-- A mute names the conversation, not a status: it holds for statuses
-- posted into the thread later, and outlives the status it was made on.
CREATE TABLE conversation_mutes (
    account_id      bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id bigint      NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, conversation_id)
);
