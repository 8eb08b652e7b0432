package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// Owner row locks for insertCapped.
const (
	lockAccount      = `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`
	lockAnnouncement = `SELECT id FROM announcements WHERE id = $1 FOR NO KEY UPDATE`
)

// insertCapped runs insert in one transaction unless the owner is at its
// cap. lock row-locks the owner first (lockAccount, lockAnnouncement), so
// concurrent capped inserts for one owner count one after the other and
// cannot pass the cap together. count answers two columns: how many rows
// the owner has, and whether the row about to be inserted is among them
// (then the insert runs and fails as a conflict, so a repeat at the cap is
// a conflict, not a limit). A missing owner makes the insert fail on its
// foreign key.
func (s *Store) insertCapped(ctx context.Context, lock string, owner int64, count string, countArgs []any, max int, insert string, insertArgs ...any) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lock, owner); err != nil {
			return fmt.Errorf("lock owner: %w", err)
		}
		var (
			n   int
			dup bool
		)
		if err := tx.QueryRow(ctx, count, countArgs...).Scan(&n, &dup); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if !dup && n >= max {
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, insert, insertArgs...)
		return err
	})
}
