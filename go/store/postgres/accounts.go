package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const accountColumns = `id, username, display_name, note, password_hash, locked, bot, discoverable,
	created_at, followers_count, following_count, statuses_count, last_status_at`

func scanAccount(row pgx.CollectableRow) (*store.Account, error) {
	var (
		a      store.Account
		lastAt *time.Time
	)
	if err := row.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Note, &a.PasswordHash,
		&a.Locked, &a.Bot, &a.Discoverable, &a.CreatedAt,
		&a.FollowersCount, &a.FollowingCount, &a.StatusesCount, &lastAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	if lastAt != nil {
		t := lastAt.UTC()
		a.LastStatusAt = &t
	}
	return &a, nil
}

// PutAccount inserts a with the counts and LastStatusAt it carries;
// ErrConflict if the ID or the username (case-insensitively) is taken.
func (s *Store) PutAccount(ctx context.Context, a *store.Account) error {
	var lastAt *time.Time
	if a.LastStatusAt != nil {
		t := toDB(*a.LastStatusAt)
		lastAt = &t
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO accounts (`+accountColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.Username, a.DisplayName, a.Note, a.PasswordHash, a.Locked, a.Bot, a.Discoverable,
		toDB(a.CreatedAt), a.FollowersCount, a.FollowingCount, a.StatusesCount, lastAt)
	if err != nil {
		return fmt.Errorf("postgres: put account %d %q: %w", a.ID, a.Username, translate(err))
	}
	return nil
}

// GetAccountByID matches accounts.id.
func (s *Store) GetAccountByID(ctx context.Context, id int64) (*store.Account, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: get account %d: %w", id, translate(err))
	}
	return a, nil
}

// GetAccountByUsername matches lower(accounts.username), the expression the
// unique index is on.
func (s *Store) GetAccountByUsername(ctx context.Context, username string) (*store.Account, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE lower(username) = lower($1)`, username)
	a, err := pgx.CollectExactlyOneRow(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: get account %q: %w", username, translate(err))
	}
	return a, nil
}

// GetAccountsByIDs matches accounts.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetAccountsByIDs(ctx context.Context, ids []int64) ([]*store.Account, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ANY($1)`, ids)
	out, err := pgx.CollectRows(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d accounts: %w", len(ids), translate(err))
	}
	return out, nil
}
