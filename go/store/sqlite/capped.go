package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// insertCapped runs insert in one write transaction unless the owner is at
// its cap. count is a query answering two columns: how many rows the owner
// has, and whether the row about to be inserted is among them (then the
// insert runs and fails as a conflict, so a repeat at the cap is a
// conflict, not a limit). SQLite has one writer, so the count and the
// insert cannot interleave with another capped insert.
func (s *Store) insertCapped(ctx context.Context, count string, countArgs []any, max int, insert string, insertArgs ...any) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var (
			n   int
			dup bool
		)
		if err := tx.QueryRowContext(ctx, count, countArgs...).Scan(&n, &dup); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if !dup && n >= max {
			return store.ErrLimit
		}
		_, err := tx.ExecContext(ctx, insert, insertArgs...)
		return err
	})
}
