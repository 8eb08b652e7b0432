package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// PutConversationMute inserts (account_id, conversation of statusID)
// unless the account mutes max conversations already; a repeat is a no-op.
// The account row is locked first, so concurrent mutes count in turn.
func (s *Store) PutConversationMute(ctx context.Context, accountID, statusID int64, createdAt time.Time, max int) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockAccount, accountID); err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		var conv int64
		if err := tx.QueryRow(ctx, `SELECT conversation_id FROM statuses WHERE id = $1`, statusID).Scan(&conv); err != nil {
			return err
		}
		var (
			n     int
			muted bool
		)
		if err := tx.QueryRow(ctx, `
			SELECT count(*), coalesce(bool_or(conversation_id = $2), false) FROM conversation_mutes WHERE account_id = $1`,
			accountID, conv).Scan(&n, &muted); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		switch {
		case muted:
			return nil
		case n >= max:
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO conversation_mutes (account_id, conversation_id, created_at) VALUES ($1, $2, $3)`,
			accountID, conv, toDB(createdAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: mute conversation of %d by %d: %w", statusID, accountID, translateFK(err))
	}
	return nil
}

// DeleteConversationMute deletes (account_id, conversation of statusID).
func (s *Store) DeleteConversationMute(ctx context.Context, accountID, statusID int64) error {
	var found bool
	err := s.pool.QueryRow(ctx, `
		WITH conv AS (SELECT conversation_id FROM statuses WHERE id = $2),
		gone AS (DELETE FROM conversation_mutes WHERE account_id = $1
			AND conversation_id = (SELECT conversation_id FROM conv))
		SELECT EXISTS (SELECT 1 FROM conv)`, accountID, statusID).Scan(&found)
	if err == nil && !found {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unmute conversation of %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// GetConversationMuterIDs selects the conversation_mutes of statusID's
// conversation among accountIDs.
func (s *Store) GetConversationMuterIDs(ctx context.Context, statusID int64, accountIDs []int64) ([]int64, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT m.account_id FROM statuses s
		JOIN conversation_mutes m ON m.conversation_id = s.conversation_id
		WHERE s.id = $1 AND m.account_id = ANY($2)
		ORDER BY m.account_id`, statusID, accountIDs)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: muters of conversation of %d: %w", statusID, translate(err))
	}
	return out, nil
}
