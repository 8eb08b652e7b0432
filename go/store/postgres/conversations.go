package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const accountConversationColumns = `id, account_id, conversation_id, participant_ids, last_status_id, unread`

func scanAccountConversation(row pgx.CollectableRow) (*store.AccountConversation, error) {
	var (
		c            store.AccountConversation
		participants string
	)
	if err := row.Scan(&c.ID, &c.AccountID, &c.ConversationID, &participants, &c.LastStatusID, &c.Unread); err != nil {
		return nil, err
	}
	c.ParticipantIDs = store.ParseParticipants(participants)
	return &c, nil
}

// insertConversations adds a direct status to the conversation of each
// account it reaches, in the status's transaction (after the status row,
// whose conversation_id the insert trigger has set): unread for all but
// its author, as Mastodon's AccountConversation.add_status.
func insertConversations(ctx context.Context, tx pgx.Tx, w *store.StatusWrite) error {
	st := w.Status
	for recipient, participants := range store.ConversationRecipients(w) {
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO account_conversations (account_id, conversation_id, participant_ids, last_status_id, unread)
			SELECT $1, conversation_id, $2, id, $3 FROM statuses WHERE id = $4
			ON CONFLICT (account_id, conversation_id, participant_ids) DO UPDATE SET
				last_status_id = greatest(account_conversations.last_status_id, excluded.last_status_id), unread = excluded.unread
			RETURNING id`,
			recipient, participants, recipient != st.AccountID, st.ID).Scan(&id); err != nil {
			return fmt.Errorf("conversation of %d: %w", recipient, err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO account_conversation_statuses (account_conversation_id, status_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, id, st.ID); err != nil {
			return fmt.Errorf("conversation status of %d: %w", recipient, err)
		}
	}
	return nil
}

// ListAccountConversations selects account_conversations by account_id
// inside page on last_status_id.
func (s *Store) ListAccountConversations(ctx context.Context, accountID int64, page store.Page) ([]*store.AccountConversation, error) {
	out, err := listPage(ctx, s, `SELECT `+accountConversationColumns+` FROM account_conversations WHERE account_id = $1`,
		[]any{accountID}, "last_status_id", page, scanAccountConversation)
	if err != nil {
		return nil, fmt.Errorf("postgres: conversations of %d: %w", accountID, err)
	}
	return out, nil
}

// GetAccountConversation selects account_conversations by (account_id, id).
func (s *Store) GetAccountConversation(ctx context.Context, accountID, id int64) (*store.AccountConversation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountConversationColumns+` FROM account_conversations
		WHERE id = $1 AND account_id = $2`, id, accountID)
	c, err := pgx.CollectExactlyOneRow(rows, scanAccountConversation)
	if err != nil {
		return nil, fmt.Errorf("postgres: conversation %d of %d: %w", id, accountID, translate(err))
	}
	return c, nil
}

// GetAccountConversationByStatus selects account_conversations by
// account_id holding status_id in account_conversation_statuses.
func (s *Store) GetAccountConversationByStatus(ctx context.Context, accountID, statusID int64) (*store.AccountConversation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+store.Qualify("c", accountConversationColumns)+`
		FROM account_conversation_statuses cs JOIN account_conversations c ON c.id = cs.account_conversation_id
		WHERE cs.status_id = $1 AND c.account_id = $2`, statusID, accountID)
	c, err := pgx.CollectExactlyOneRow(rows, scanAccountConversation)
	if err != nil {
		return nil, fmt.Errorf("postgres: conversation of status %d for %d: %w", statusID, accountID, translate(err))
	}
	return c, nil
}

// MarkAccountConversationRead clears unread of (account_id, id).
func (s *Store) MarkAccountConversationRead(ctx context.Context, accountID, id int64) error {
	if err := mustAffect(s.pool.Exec(ctx, `UPDATE account_conversations SET unread = false WHERE id = $1 AND account_id = $2`, id, accountID)); err != nil {
		return fmt.Errorf("postgres: read conversation %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}

// DeleteAccountConversation deletes (account_id, id); its status list
// goes by ON DELETE CASCADE.
func (s *Store) DeleteAccountConversation(ctx context.Context, accountID, id int64) error {
	if err := mustAffect(s.pool.Exec(ctx, `DELETE FROM account_conversations WHERE id = $1 AND account_id = $2`, id, accountID)); err != nil {
		return fmt.Errorf("postgres: delete conversation %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}
