package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/starling-social/starling/go/store"
)

// uniqueViolation is SQLSTATE unique_violation (primary keys included).
const uniqueViolation = "23505"

// Store is a store.Store backed by a pgx pool. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://… or key=value form; pool
// settings such as pool_max_conns are accepted, see pgxpool.ParseConfig) and
// checks that it answers. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password; pgconn's parse error does not echo it.
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open for a configuration built in code, for example with
// cfg.ConnConfig.RuntimeParams["search_path"] set to put Starling's tables in
// their own schema.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	if cfg.ConnConfig.Tracer == nil {
		cfg.ConnConfig.Tracer = queryTracer{}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return s, nil
}

// Ping checks that a pooled connection answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the pool, waiting for borrowed connections to come back.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Queries use pgx's documented idiom "rows, _ := pool.Query(…)": an error
// from Query is also returned by rows.Err, which the Collect functions report.

// translate maps driver errors onto the store sentinels. The driver error is
// kept in the chain (and the message) for logs.
func translate(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case errors.As(err, &pgErr) && pgErr.Code == uniqueViolation:
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// toDB truncates to the microsecond timestamptz keeps (pgx would truncate
// too; doing it here makes the rule explicit and shared with store/sqlite).
func toDB(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// utcPtr is a nullable time column as read: nil stays nil, a time is in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// nullID stores the Go zero ID as NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// fromNullID reads NULL as the Go zero ID.
func fromNullID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// placeholder is PostgreSQL's: $n binds the n-th argument.
func placeholder(n int) string { return "$" + strconv.Itoa(n) }

// binder returns arg: arg(v) appends v to *args and answers its
// placeholder, for queries whose conditions depend on the input.
func binder(args *[]any) func(v any) string {
	return func(v any) string {
		*args = append(*args, v)
		return placeholder(len(*args))
	}
}

// listPage runs query (a SELECT ending in a WHERE clause, its args bound as
// $1…) inside p's ID window on col (store.Page.Window) and returns the rows
// newest first.
func listPage[T any](ctx context.Context, s *Store, query string, args []any, col string, p store.Page, scan pgx.RowToFunc[T]) ([]T, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	window, args := p.Window(col, args, placeholder)
	rows, _ := s.pool.Query(ctx, query+window, args...)
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, translate(err)
	}
	return store.NewestFirst(p, out), nil
}

// PoolStat returns the pool's statistics, for metrics.
func (s *Store) PoolStat() *pgxpool.Stat { return s.pool.Stat() }
