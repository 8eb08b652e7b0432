package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const accountColumns = `id, username, display_name, note, password_hash, locked, bot, discoverable,
	created_at, followers_count, following_count, statuses_count, last_status_at`

func scanAccount(row scanner) (*store.Account, error) {
	var (
		a         store.Account
		createdAt int64
		lastAt    sql.NullInt64
	)
	if err := row.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Note, &a.PasswordHash,
		&a.Locked, &a.Bot, &a.Discoverable, &createdAt,
		&a.FollowersCount, &a.FollowingCount, &a.StatusesCount, &lastAt); err != nil {
		return nil, err
	}
	a.CreatedAt = fromDB(createdAt)
	if lastAt.Valid {
		t := fromDB(lastAt.Int64)
		a.LastStatusAt = &t
	}
	return &a, nil
}

// PutAccount inserts a with the counts and LastStatusAt it carries;
// ErrConflict if the ID or the username (case-insensitively) is taken.
func (s *Store) PutAccount(ctx context.Context, a *store.Account) error {
	var lastAt any
	if a.LastStatusAt != nil {
		lastAt = toDB(*a.LastStatusAt)
	}
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO accounts (`+accountColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Username, a.DisplayName, a.Note, a.PasswordHash, a.Locked, a.Bot, a.Discoverable,
		toDB(a.CreatedAt), a.FollowersCount, a.FollowingCount, a.StatusesCount, lastAt)
	if err != nil {
		return fmt.Errorf("sqlite: put account %d %q: %w", a.ID, a.Username, translate(err))
	}
	return nil
}

// GetAccountByID matches accounts.id.
func (s *Store) GetAccountByID(ctx context.Context, id int64) (*store.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get account %d: %w", id, translate(err))
	}
	return a, nil
}

// GetAccountByUsername matches lower(accounts.username), the expression the
// unique index is on.
func (s *Store) GetAccountByUsername(ctx context.Context, username string) (*store.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE lower(username) = lower(?)`, username))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get account %q: %w", username, translate(err))
	}
	return a, nil
}

// GetAccountsByIDs matches accounts.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetAccountsByIDs(ctx context.Context, ids []int64) ([]*store.Account, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := jsonArray(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d accounts: %w", len(ids), err)
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d accounts: %w", len(ids), translate(err))
	}
	out, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d accounts: %w", len(ids), translate(err))
	}
	return out, nil
}
