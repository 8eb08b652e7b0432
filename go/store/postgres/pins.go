package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const pinColumns = `id, account_id, status_id, created_at`

func scanPin(row pgx.CollectableRow) (*store.StatusPin, error) {
	var p store.StatusPin
	if err := row.Scan(&p.ID, &p.AccountID, &p.StatusID, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// PutStatusPin inserts p unless the account has max pins already
// (insertCapped locks the account row first).
func (s *Store) PutStatusPin(ctx context.Context, p *store.StatusPin, max int) error {
	err := s.insertCapped(ctx, lockAccount, p.AccountID, `
		SELECT count(*), coalesce(bool_or(status_id = $2), false) FROM status_pins WHERE account_id = $1`,
		[]any{p.AccountID, p.StatusID}, max,
		`INSERT INTO status_pins (`+pinColumns+`) VALUES ($1, $2, $3, $4)`,
		p.ID, p.AccountID, p.StatusID, toDB(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: pin %d by %d: %w", p.StatusID, p.AccountID, translateFK(err))
	}
	return nil
}

// DeleteStatusPin deletes (account_id, status_id).
func (s *Store) DeleteStatusPin(ctx context.Context, accountID, statusID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM status_pins WHERE account_id = $1 AND status_id = $2`, accountID, statusID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unpin %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// ListStatusPins selects status_pins by account_id, highest id first.
func (s *Store) ListStatusPins(ctx context.Context, accountID int64) ([]*store.StatusPin, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+pinColumns+` FROM status_pins WHERE account_id = $1 ORDER BY id DESC`, accountID)
	out, err := pgx.CollectRows(rows, scanPin)
	if err != nil {
		return nil, fmt.Errorf("postgres: list pins of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetPinnedStatusIDs selects the status_pins of accountID among statusIDs.
func (s *Store) GetPinnedStatusIDs(ctx context.Context, accountID int64, statusIDs []int64) (map[int64]bool, error) {
	if len(statusIDs) == 0 {
		return map[int64]bool{}, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT status_id FROM status_pins WHERE account_id = $1 AND status_id = ANY($2)`, accountID, statusIDs)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: pinned of %d: %w", accountID, translate(err))
	}
	return store.IDSet(ids), nil
}
