package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
)

const accountColumns = `id, username, display_name, note, password_hash, locked, bot, discoverable,
	created_at, followers_count, following_count, statuses_count, last_status_at, avatar_key, header_key,
	fields, suspended_at, silenced_at`

// accountRow is one row of accountColumns being scanned, so a query that
// joins accounts to another table scans both into one Scan call.
type accountRow struct {
	a         store.Account
	lastAt    *time.Time
	fields    string
	suspended *time.Time
	silenced  *time.Time
}

func (r *accountRow) dests() []any {
	a := &r.a
	return []any{&a.ID, &a.Username, &a.DisplayName, &a.Note, &a.PasswordHash,
		&a.Locked, &a.Bot, &a.Discoverable, &a.CreatedAt,
		&a.FollowersCount, &a.FollowingCount, &a.StatusesCount, &r.lastAt, &a.AvatarKey, &a.HeaderKey, &r.fields,
		&r.suspended, &r.silenced}
}

func (r *accountRow) account() (*store.Account, error) {
	a := r.a
	if err := store.DecodeProfileFields(r.fields, &a.Fields); err != nil {
		return nil, fmt.Errorf("account %d: %w", a.ID, err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	a.LastStatusAt, a.SuspendedAt, a.SilencedAt = utcPtr(r.lastAt), utcPtr(r.suspended), utcPtr(r.silenced)
	return &a, nil
}

func scanAccount(row pgx.CollectableRow) (*store.Account, error) {
	var r accountRow
	if err := row.Scan(r.dests()...); err != nil {
		return nil, err
	}
	return r.account()
}

// PutAccount inserts a with the counts and LastStatusAt it carries;
// ErrConflict if the ID or the username (case-insensitively) is taken.
func (s *Store) PutAccount(ctx context.Context, a *store.Account) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO accounts (`+accountColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		a.ID, a.Username, a.DisplayName, a.Note, a.PasswordHash, a.Locked, a.Bot, a.Discoverable,
		toDB(a.CreatedAt), a.FollowersCount, a.FollowingCount, a.StatusesCount, nullTime(a.LastStatusAt),
		a.AvatarKey, a.HeaderKey, store.EncodeProfileFields(a.Fields), nullTime(a.SuspendedAt), nullTime(a.SilencedAt))
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

// UpdateAccount sets columns of the account matching a.ID to a's values;
// ErrNotFound if there is none. An unknown column (or one the store keeps,
// such as the counts) is an error before any write.
func (s *Store) UpdateAccount(ctx context.Context, a *store.Account, columns ...string) error {
	if err := s.updateByID(ctx, "accounts", store.AccountUpdates(a), columns, a.ID); err != nil {
		return fmt.Errorf("postgres: update account %d: %w", a.ID, err)
	}
	return nil
}

// updateByID sets columns of table's row matching id to their values
// (store.SetClause): nothing for no columns, ErrNotFound for no such row,
// an error before any write for a column values lacks.
func (s *Store) updateByID(ctx context.Context, table string, values map[string]any, columns []string, id int64) error {
	set, args, err := store.SetClause(values, columns, []any{id}, placeholder)
	if err == nil && set == "" {
		return nil
	}
	if err == nil {
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, `UPDATE `+table+` SET `+set+` WHERE id = $1`, args...)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
	}
	return translate(err)
}

// likePrefix escapes LIKE's wildcards (and the escape character) in a
// lower-cased query and appends %, for "… LIKE $n ESCAPE '\'".
func likePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(strings.ToLower(q)) + "%"
}

// SearchAccounts matches lower(username) or lower(display_name) by prefix.
// Order: exact username, then username prefix, then display-name prefix;
// within each, followers_count descending, then id.
func (s *Store) SearchAccounts(ctx context.Context, q store.AccountSearch) ([]*store.Account, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("postgres: search accounts: limit %d offset %d, want limit > 0, offset >= 0", q.Limit, q.Offset)
	}
	query := `SELECT ` + accountColumns + ` FROM accounts
		WHERE (lower(username) LIKE $1 ESCAPE '\' OR lower(display_name) LIKE $1 ESCAPE '\')
		  AND id <> ALL($2) AND suspended_at IS NULL`
	args := []any{likePrefix(q.Query), idArray(q.ExcludeIDs), strings.ToLower(q.Query), q.Limit, q.Offset}
	if q.FollowedBy != 0 {
		query += ` AND id IN (SELECT target_account_id FROM follows WHERE account_id = $6)`
		args = append(args, q.FollowedBy)
	}
	query += `
		ORDER BY CASE WHEN lower(username) = $3 THEN 0 WHEN lower(username) LIKE $1 ESCAPE '\' THEN 1 ELSE 2 END,
		         followers_count DESC, id
		LIMIT $4 OFFSET $5`
	rows, _ := s.pool.Query(ctx, query, args...)
	out, err := pgx.CollectRows(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: search accounts %q: %w", q.Query, translate(err))
	}
	return out, nil
}

// ListDirectory selects discoverable accounts, ordered as q asks.
func (s *Store) ListDirectory(ctx context.Context, q store.DirectoryQuery) ([]*store.Account, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("postgres: directory: limit %d offset %d, want limit > 0, offset >= 0", q.Limit, q.Offset)
	}
	order := `last_status_at DESC NULLS LAST, id DESC`
	if q.New {
		order = `id DESC`
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE discoverable AND suspended_at IS NULL AND silenced_at IS NULL AND id <> ALL($1)
		ORDER BY `+order+` LIMIT $2 OFFSET $3`, idArray(q.ExcludeIDs), q.Limit, q.Offset)
	out, err := pgx.CollectRows(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: directory: %w", translate(err))
	}
	return out, nil
}
