package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/starling-social/starling/go/store"
)

const accountColumns = `id, username, display_name, note, password_hash, locked, bot, discoverable,
	created_at, followers_count, following_count, statuses_count, last_status_at, avatar_key, header_key,
	fields, suspended_at, silenced_at`

// accountRow is one row of accountColumns being scanned, so a query that
// joins accounts to another table scans both into one Scan call.
type accountRow struct {
	a         store.Account
	createdAt int64
	lastAt    sql.NullInt64
	fields    string
	suspended sql.NullInt64
	silenced  sql.NullInt64
}

func (r *accountRow) dests() []any {
	a := &r.a
	return []any{&a.ID, &a.Username, &a.DisplayName, &a.Note, &a.PasswordHash,
		&a.Locked, &a.Bot, &a.Discoverable, &r.createdAt,
		&a.FollowersCount, &a.FollowingCount, &a.StatusesCount, &r.lastAt, &a.AvatarKey, &a.HeaderKey, &r.fields,
		&r.suspended, &r.silenced}
}

func (r *accountRow) account() (*store.Account, error) {
	a := r.a
	if err := store.DecodeProfileFields(r.fields, &a.Fields); err != nil {
		return nil, fmt.Errorf("account %d: %w", a.ID, err)
	}
	a.CreatedAt = fromDB(r.createdAt)
	a.LastStatusAt = fromNullDB(r.lastAt)
	a.SuspendedAt, a.SilencedAt = fromNullDB(r.suspended), fromNullDB(r.silenced)
	return &a, nil
}

func scanAccount(row scanner) (*store.Account, error) {
	var r accountRow
	if err := row.Scan(r.dests()...); err != nil {
		return nil, err
	}
	return r.account()
}

// PutAccount inserts a with the counts and LastStatusAt it carries;
// ErrConflict if the ID or the username (case-insensitively) is taken.
func (s *Store) PutAccount(ctx context.Context, a *store.Account) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO accounts (`+accountColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Username, a.DisplayName, a.Note, a.PasswordHash, a.Locked, a.Bot, a.Discoverable,
		toDB(a.CreatedAt), a.FollowersCount, a.FollowingCount, a.StatusesCount, nullTime(a.LastStatusAt),
		a.AvatarKey, a.HeaderKey, store.EncodeProfileFields(a.Fields), nullTime(a.SuspendedAt), nullTime(a.SilencedAt))
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

// UpdateAccount sets columns of the account matching a.ID to a's values;
// ErrNotFound if there is none. An unknown column (or one the store keeps,
// such as the counts) is an error before any write.
func (s *Store) UpdateAccount(ctx context.Context, a *store.Account, columns ...string) error {
	if err := s.updateByID(ctx, "accounts", store.AccountUpdates(a), columns, a.ID); err != nil {
		return fmt.Errorf("sqlite: update account %d: %w", a.ID, err)
	}
	return nil
}

// updateByID sets columns of table's row matching id to their values
// (store.SetClause): nothing for no columns, ErrNotFound for no such row,
// an error before any write for a column values lacks.
func (s *Store) updateByID(ctx context.Context, table string, values map[string]any, columns []string, id int64) error {
	set, args, err := store.SetClause(values, columns, nil, placeholder)
	if err == nil && set == "" {
		return nil
	}
	if err == nil {
		var res sql.Result
		res, err = s.w.ExecContext(ctx, `UPDATE `+table+` SET `+set+` WHERE id = ?`, append(args, id)...)
		if err == nil {
			err = mustAffect(res)
		}
	}
	return translate(err)
}

// likePrefix escapes LIKE's wildcards (and the escape character) in a
// lower-cased query and appends %, for "… LIKE ? ESCAPE '\'".
func likePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(strings.ToLower(q)) + "%"
}

// prefixRange returns the bounds [lo, hi) of the strings starting with p
// in byte order (SQLite's BINARY collation): hi is p with its last byte
// below 0xFF incremented and what follows dropped. ok is false when every
// byte is 0xFF, which no valid UTF-8 string starts with.
func prefixRange(p string) (lo, hi string, ok bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xFF {
			return p, p[:i] + string([]byte{p[i] + 1}), true
		}
	}
	return "", "", false
}

// SearchAccounts matches lower(username) or lower(display_name) by prefix.
// Order: exact username, then username prefix, then display-name prefix;
// within each, followers_count descending, then id. SQLite's lower() folds
// ASCII only, so a non-ASCII display name matches only in its own case.
//
// Each prefix is a range of an index that also holds followers_count
// (migration 0035), named with INDEXED BY because without statistics the
// planner prefers the unique username index and reads every matching row;
// only the page's rows are read from the table. Suspended accounts are
// left out by their ID set (accounts_suspended_idx, small), so no match
// is read from the table for it either.
func (s *Store) SearchAccounts(ctx context.Context, q store.AccountSearch) ([]*store.Account, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("sqlite: search accounts: limit %d offset %d, want limit > 0, offset >= 0", q.Limit, q.Offset)
	}
	exclude, err := idList(q.ExcludeIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search accounts: %w", err)
	}
	lower := strings.ToLower(q.Query)
	lo, hi, ok := prefixRange(lower)
	if !ok {
		return nil, nil
	}
	follows := ""
	if q.FollowedBy != 0 {
		follows = ` AND id IN (SELECT target_account_id FROM follows WHERE account_id = ?7)`
	}
	query := `WITH matches (id, rank, followers) AS (
			SELECT id, CASE WHEN lower(username) = ?3 THEN 0 ELSE 1 END, followers_count
			FROM accounts INDEXED BY accounts_username_prefix_idx
			WHERE lower(username) >= ?1 AND lower(username) < ?2
			UNION ALL
			SELECT id, 2, followers_count
			FROM accounts INDEXED BY accounts_display_name_prefix_idx
			WHERE lower(display_name) >= ?1 AND lower(display_name) < ?2
			  AND NOT (lower(username) >= ?1 AND lower(username) < ?2)),
		page AS (
			SELECT id, rank, followers FROM matches
			WHERE id NOT IN (SELECT value FROM json_each(?4))
			  AND id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL)` + follows + `
			ORDER BY rank, followers DESC, id LIMIT ?5 OFFSET ?6)
		SELECT ` + store.Qualify("a", accountColumns) + ` FROM page JOIN accounts a ON a.id = page.id
		ORDER BY page.rank, page.followers DESC, page.id`
	args := []any{lo, hi, lower, exclude, q.Limit, q.Offset}
	if q.FollowedBy != 0 {
		args = append(args, q.FollowedBy) // ?7 exists only then: SQLite counts parameters by the highest
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search accounts %q: %w", q.Query, translate(err))
	}
	out, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search accounts %q: %w", q.Query, translate(err))
	}
	return out, nil
}

// ListDirectory selects discoverable accounts, ordered as q asks.
func (s *Store) ListDirectory(ctx context.Context, q store.DirectoryQuery) ([]*store.Account, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("sqlite: directory: limit %d offset %d, want limit > 0, offset >= 0", q.Limit, q.Offset)
	}
	exclude, err := idList(q.ExcludeIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: directory: %w", err)
	}
	order := `last_status_at IS NULL, last_status_at DESC, id DESC`
	if q.New {
		order = `id DESC`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE discoverable AND suspended_at IS NULL AND silenced_at IS NULL AND id NOT IN (SELECT value FROM json_each(?))
		ORDER BY `+order+` LIMIT ? OFFSET ?`, exclude, q.Limit, q.Offset)
	if err != nil {
		return nil, fmt.Errorf("sqlite: directory: %w", translate(err))
	}
	out, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: directory: %w", translate(err))
	}
	return out, nil
}
