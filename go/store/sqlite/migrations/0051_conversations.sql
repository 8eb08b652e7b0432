-- 0051_conversations: direct-message conversations per account (Mastodon's
-- account_conversations). A direct status joins, for its author and each
-- account it mentions, the conversation of its thread among the same
-- participants; the statuses of a conversation are listed so that deleting
-- one moves last_status_id back, and deleting the last deletes the
-- conversation (the trigger below), as Mastodon's remove_status does.
-- Conversations are listed per account by last_status_id.

CREATE TABLE account_conversations (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL,
    participant_ids TEXT    NOT NULL, -- the other accounts, ascending, comma-separated
    last_status_id  INTEGER NOT NULL,
    unread          INTEGER NOT NULL,
    UNIQUE (account_id, conversation_id, participant_ids)
) STRICT;

CREATE INDEX account_conversations_account_id_last_status_id_idx ON account_conversations (account_id, last_status_id);

CREATE TABLE account_conversation_statuses (
    account_conversation_id INTEGER NOT NULL REFERENCES account_conversations (id) ON DELETE CASCADE,
    status_id               INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_conversation_id, status_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX account_conversation_statuses_status_id_idx ON account_conversation_statuses (status_id);

CREATE TRIGGER account_conversation_statuses_deleted AFTER DELETE ON account_conversation_statuses BEGIN
    UPDATE account_conversations SET last_status_id = (
        SELECT max(status_id) FROM account_conversation_statuses WHERE account_conversation_id = old.account_conversation_id)
    WHERE id = old.account_conversation_id AND last_status_id = old.status_id
      AND EXISTS (SELECT 1 FROM account_conversation_statuses WHERE account_conversation_id = old.account_conversation_id);
    DELETE FROM account_conversations WHERE id = old.account_conversation_id
      AND NOT EXISTS (SELECT 1 FROM account_conversation_statuses WHERE account_conversation_id = old.account_conversation_id);
END;
