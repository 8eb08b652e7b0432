package sqlite

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const pinColumns = `id, account_id, status_id, created_at`

func scanPin(row scanner) (*store.StatusPin, error) {
	var (
		p         store.StatusPin
		createdAt int64
	)
	if err := row.Scan(&p.ID, &p.AccountID, &p.StatusID, &createdAt); err != nil {
		return nil, err
	}
	p.CreatedAt = fromDB(createdAt)
	return &p, nil
}

// PutStatusPin inserts p unless the account has max pins already; the count
// and the insert share one write transaction, and SQLite has one writer, so
// concurrent pins cannot pass the limit together.
func (s *Store) PutStatusPin(ctx context.Context, p *store.StatusPin, max int) error {
	err := s.insertCapped(ctx, `
		SELECT count(*), coalesce(max(status_id = ?), 0) FROM status_pins WHERE account_id = ?`,
		[]any{p.StatusID, p.AccountID}, max,
		`INSERT INTO status_pins (`+pinColumns+`) VALUES (?, ?, ?, ?)`,
		p.ID, p.AccountID, p.StatusID, toDB(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: pin %d by %d: %w", p.StatusID, p.AccountID, translateFK(err))
	}
	return nil
}

// DeleteStatusPin deletes (account_id, status_id).
func (s *Store) DeleteStatusPin(ctx context.Context, accountID, statusID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM status_pins WHERE account_id = ? AND status_id = ?`, accountID, statusID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unpin %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// ListStatusPins selects status_pins by account_id, highest id first.
func (s *Store) ListStatusPins(ctx context.Context, accountID int64) ([]*store.StatusPin, error) {
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+pinColumns+` FROM status_pins WHERE account_id = ? ORDER BY id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list pins of %d: %w", accountID, translate(err))
	}
	out, err := collect(rows, scanPin)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list pins of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetPinnedStatusIDs selects the status_pins of accountID among statusIDs.
func (s *Store) GetPinnedStatusIDs(ctx context.Context, accountID int64, statusIDs []int64) (map[int64]bool, error) {
	if len(statusIDs) == 0 {
		return map[int64]bool{}, nil
	}
	list, err := idList(statusIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pinned of %d: %w", accountID, err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT status_id FROM status_pins
		WHERE account_id = ? AND status_id IN (SELECT value FROM json_each(?))`, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pinned of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pinned of %d: %w", accountID, translate(err))
	}
	return store.IDSet(ids), nil
}
