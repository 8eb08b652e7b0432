package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const accountConversationColumns = `id, account_id, conversation_id, participant_ids, last_status_id, unread`

func scanAccountConversation(row scanner) (*store.AccountConversation, error) {
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
func insertConversations(ctx context.Context, tx *sql.Tx, w *store.StatusWrite) error {
	st := w.Status
	for recipient, participants := range store.ConversationRecipients(w) {
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO account_conversations (account_id, conversation_id, participant_ids, last_status_id, unread)
			SELECT ?, conversation_id, ?, id, ? FROM statuses WHERE id = ?
			ON CONFLICT (account_id, conversation_id, participant_ids) DO UPDATE SET
				last_status_id = max(last_status_id, excluded.last_status_id), unread = excluded.unread
			RETURNING id`,
			recipient, participants, recipient != st.AccountID, st.ID).Scan(&id); err != nil {
			return fmt.Errorf("conversation of %d: %w", recipient, err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO account_conversation_statuses (account_conversation_id, status_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, id, st.ID); err != nil {
			return fmt.Errorf("conversation status of %d: %w", recipient, err)
		}
	}
	return nil
}

// ListAccountConversations selects account_conversations by account_id
// inside page on last_status_id.
func (s *Store) ListAccountConversations(ctx context.Context, accountID int64, page store.Page) ([]*store.AccountConversation, error) {
	out, err := listPage(ctx, s, `SELECT `+accountConversationColumns+` FROM account_conversations WHERE account_id = ?`,
		[]any{accountID}, "last_status_id", page, scanAccountConversation)
	if err != nil {
		return nil, fmt.Errorf("sqlite: conversations of %d: %w", accountID, err)
	}
	return out, nil
}

// GetAccountConversation selects account_conversations by (account_id, id).
func (s *Store) GetAccountConversation(ctx context.Context, accountID, id int64) (*store.AccountConversation, error) {
	c, err := scanAccountConversation(s.r.QueryRowContext(ctx,
		`SELECT `+accountConversationColumns+` FROM account_conversations WHERE id = ? AND account_id = ?`, id, accountID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: conversation %d of %d: %w", id, accountID, translate(err))
	}
	return c, nil
}

// GetAccountConversationByStatus selects account_conversations by
// account_id holding status_id in account_conversation_statuses.
func (s *Store) GetAccountConversationByStatus(ctx context.Context, accountID, statusID int64) (*store.AccountConversation, error) {
	c, err := scanAccountConversation(s.r.QueryRowContext(ctx, `SELECT `+store.Qualify("c", accountConversationColumns)+`
		FROM account_conversation_statuses cs JOIN account_conversations c ON c.id = cs.account_conversation_id
		WHERE cs.status_id = ? AND c.account_id = ?`, statusID, accountID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: conversation of status %d for %d: %w", statusID, accountID, translate(err))
	}
	return c, nil
}

// MarkAccountConversationRead clears unread of (account_id, id).
func (s *Store) MarkAccountConversationRead(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE account_conversations SET unread = 0 WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: read conversation %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}

// DeleteAccountConversation deletes (account_id, id); its status list
// goes by ON DELETE CASCADE.
func (s *Store) DeleteAccountConversation(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM account_conversations WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete conversation %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}
