package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

// conversationOf reads statuses.conversation_id of statusID in tx.
func conversationOf(ctx context.Context, tx *sql.Tx, statusID int64) (int64, error) {
	var conv int64
	err := tx.QueryRowContext(ctx, `SELECT conversation_id FROM statuses WHERE id = ?`, statusID).Scan(&conv)
	return conv, err
}

// PutConversationMute inserts (account_id, conversation of statusID)
// unless the account mutes max conversations already; a repeat is a no-op.
func (s *Store) PutConversationMute(ctx context.Context, accountID, statusID int64, createdAt time.Time, max int) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		conv, err := conversationOf(ctx, tx, statusID)
		if err != nil {
			return err
		}
		var (
			n     int
			muted bool
		)
		if err := tx.QueryRowContext(ctx, `
			SELECT count(*), coalesce(max(conversation_id = ?), 0) FROM conversation_mutes WHERE account_id = ?`,
			conv, accountID).Scan(&n, &muted); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		switch {
		case muted:
			return nil
		case n >= max:
			return store.ErrLimit
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO conversation_mutes (account_id, conversation_id, created_at) VALUES (?, ?, ?)`,
			accountID, conv, toDB(createdAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: mute conversation of %d by %d: %w", statusID, accountID, translateFK(err))
	}
	return nil
}

// DeleteConversationMute deletes (account_id, conversation of statusID).
func (s *Store) DeleteConversationMute(ctx context.Context, accountID, statusID int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		conv, err := conversationOf(ctx, tx, statusID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`DELETE FROM conversation_mutes WHERE account_id = ? AND conversation_id = ?`, accountID, conv)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: unmute conversation of %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// GetConversationMuterIDs selects the conversation_mutes of statusID's
// conversation among accountIDs.
func (s *Store) GetConversationMuterIDs(ctx context.Context, statusID int64, accountIDs []int64) ([]int64, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	list, err := idList(accountIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: muters of conversation of %d: %w", statusID, err)
	}
	out, err := queryAll(ctx, s, `
		SELECT m.account_id FROM statuses s
		JOIN conversation_mutes m ON m.conversation_id = s.conversation_id
		WHERE s.id = ? AND m.account_id IN (SELECT value FROM json_each(?))
		ORDER BY m.account_id`, scanID, statusID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: muters of conversation of %d: %w", statusID, translate(err))
	}
	return out, nil
}
