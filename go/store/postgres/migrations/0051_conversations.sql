-- 0051_conversations: direct-message conversations per account (Mastodon's
-- account_conversations). A direct status joins, for its author and each
-- account it mentions, the conversation of its thread among the same
-- participants; the statuses of a conversation are listed so that deleting
-- one moves last_status_id back, and deleting the last deletes the
-- conversation (the trigger below), as Mastodon's remove_status does.
-- Conversations are listed per account by last_status_id.

CREATE TABLE account_conversations (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      bigint  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id bigint  NOT NULL,
    participant_ids text    NOT NULL, -- the other accounts, ascending, comma-separated
    last_status_id  bigint  NOT NULL,
    unread          boolean NOT NULL,
    UNIQUE (account_id, conversation_id, participant_ids)
);

CREATE INDEX account_conversations_account_id_last_status_id_idx ON account_conversations (account_id, last_status_id);

CREATE TABLE account_conversation_statuses (
    account_conversation_id bigint NOT NULL REFERENCES account_conversations (id) ON DELETE CASCADE,
    status_id               bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_conversation_id, status_id)
);

CREATE INDEX account_conversation_statuses_status_id_idx ON account_conversation_statuses (status_id);

CREATE FUNCTION account_conversation_statuses_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    newest bigint;
BEGIN
    SELECT max(status_id) INTO newest FROM account_conversation_statuses
    WHERE account_conversation_id = OLD.account_conversation_id;
    IF newest IS NULL THEN
        DELETE FROM account_conversations WHERE id = OLD.account_conversation_id;
    ELSE
        UPDATE account_conversations SET last_status_id = newest
        WHERE id = OLD.account_conversation_id AND last_status_id <> newest;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_conversation_statuses_deleted AFTER DELETE ON account_conversation_statuses
    FOR EACH ROW EXECUTE FUNCTION account_conversation_statuses_deleted();
