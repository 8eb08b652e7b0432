package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/starling-social/starling/go/store"
)

// busyTimeout is how long a connection waits on a lock held by another
// connection (a checkpoint, another process) before failing with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// Store is a store.Store backed by one SQLite database file. It is safe for
// concurrent use.
type Store struct {
	path string
	w    *sql.DB // the one writer; transactions BEGIN IMMEDIATE
	r    *readDB // read-only pool, its statements prepared once
	// df caches full-text document frequencies (search.go).
	df dfCache
	// recentRows overrides recentScanRows (statuses.go) in tests: 0 keeps
	// it, < 0 turns the newest-first walk off.
	recentRows int
	// accounts caches the number of accounts (statuses.go's plan choice).
	accounts struct {
		mu sync.Mutex
		n  int64
		at time.Time
	}
}

var _ store.Store = (*Store)(nil)

// Synchronous is SQLite's synchronous setting: how often a commit waits for
// the disk. With WAL, FULL syncs the log at every commit, NORMAL only at
// checkpoints.
type Synchronous string

// The settings Open accepts.
const (
	// SyncFull, the default, makes every acknowledged write durable: a
	// commit returns after the WAL reached the disk, so a power loss or OS
	// crash loses nothing acknowledged.
	SyncFull Synchronous = "FULL"
	// SyncNormal skips the sync at commit. It is faster and safe against a
	// crash of the process, but a power loss or OS crash can lose the last
	// commits before a checkpoint; an operator choice, never a default.
	SyncNormal Synchronous = "NORMAL"
)

// ParseSynchronous reads a setting as operators write it ("full",
// "normal", any case).
func ParseSynchronous(s string) (Synchronous, error) {
	switch v := Synchronous(strings.ToUpper(strings.TrimSpace(s))); v {
	case SyncFull, SyncNormal:
		return v, nil
	}
	return "", fmt.Errorf("sqlite: synchronous %q: want full or normal", s)
}

// Option configures Open.
type Option func(*options)

type options struct {
	synchronous Synchronous
}

// WithSynchronous sets the synchronous setting of every connection
// (default SyncFull).
func WithSynchronous(s Synchronous) Option {
	return func(o *options) { o.synchronous = s }
}

// Open opens (creating if needed) the SQLite database at path, and its parent
// directory. It checks the database answers but does not migrate it: call
// Migrate. An in-memory database (":memory:") is not supported, because the
// writer and reader pools would each see a different one.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{synchronous: SyncFull}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := ParseSynchronous(string(o.synchronous)); err != nil {
		return nil, err
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open %q: want a plain file path", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	// Every connection gets the same pragmas from the DSN. journal_mode=WAL
	// is persistent in the file; the rest are per connection.
	common := url.Values{}
	common.Set("_journal_mode", "WAL")
	common.Set("_foreign_keys", "on")
	common.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	common.Set("_synchronous", string(o.synchronous))

	wq := cloneValues(common)
	wq.Set("_txlock", "immediate")
	drv := &sqlite3.SQLiteDriver{}
	w := sql.OpenDB(tracedConnector{dsn: path + "?" + wq.Encode(), drv: drv})
	// One writer: SQLite serialises writes anyway, and queueing them in
	// database/sql avoids SQLITE_BUSY between our own connections.
	w.SetMaxOpenConns(1)

	rq := cloneValues(common)
	rq.Set("_query_only", "on")
	r := sql.OpenDB(tracedConnector{dsn: path + "?" + rq.Encode(), drv: drv})
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)

	s := &Store{path: path, w: w, r: newReadDB(r)}
	// Ping the writer first: it creates the file and switches it to WAL
	// before any reader opens it.
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	return s, nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Ping checks that both pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// Synchronous reads the writer connection's synchronous setting back from
// SQLite (PRAGMA synchronous), so the server can log what it really runs
// with.
func (s *Store) Synchronous(ctx context.Context) (Synchronous, error) {
	var n int
	if err := s.w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
		return "", fmt.Errorf("sqlite: read synchronous: %w", err)
	}
	// SQLite's numbering: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
	names := []Synchronous{"OFF", SyncNormal, SyncFull, "EXTRA"}
	if n < 0 || n >= len(names) {
		return "", fmt.Errorf("sqlite: read synchronous: unknown value %d", n)
	}
	return names[n], nil
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// translate maps driver errors onto the store sentinels. The driver error is
// kept in the chain (and the message) for logs.
func translate(err error) error {
	var se sqlite3.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil. The error is returned untranslated.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // harmless after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// toDB converts a time to the stored form: microseconds since the Unix
// epoch, UTC. Both backends keep microseconds, so a round trip through
// either gives the same value.
func toDB(t time.Time) int64 { return t.UnixMicro() }

func fromDB(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromNullDB reads a nullable time column: NULL is nil.
func fromNullDB(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromDB(us.Int64)
	return &t
}

// nullID stores the Go zero ID as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// jsonArray encodes ids (or visibilities) as a JSON array for
// "IN (SELECT value FROM json_each(?))": one fixed query text whatever the
// list length, and no limit on the number of bound variables.
func jsonArray[T any](v []T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// embeddingArg binds store.EncodeEmbedding(v), an empty vector as an
// untyped nil (NULL): go-sqlite3 binds a nil []byte inside an interface as
// NULL too, but we do not rely on it.
func embeddingArg(v []float32) any {
	if len(v) == 0 {
		return nil
	}
	return store.EncodeEmbedding(v)
}

// queryAll runs query on the readers and scans every row.
func queryAll[T any](ctx context.Context, s *Store, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scan)
}

// mustAffect turns "no row changed" into sql.ErrNoRows, which translate maps
// to store.ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// placeholder is SQLite's: "?" takes the next argument whatever n is.
func placeholder(int) string { return "?" }

// listPage runs query (a SELECT ending in a WHERE clause) inside p's ID
// window on col (store.Page.Window) and returns the rows newest first.
func listPage[T any](ctx context.Context, s *Store, query string, args []any, col string, p store.Page, scan func(scanner) (T, error)) ([]T, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	window, args := p.Window(col, args, placeholder)
	rows, err := s.r.QueryContext(ctx, query+window, args...)
	if err != nil {
		return nil, translate(err)
	}
	out, err := collect(rows, scan)
	if err != nil {
		return nil, translate(err)
	}
	return store.NewestFirst(p, out), nil
}

// Pools returns the writer and reader pools, for their statistics
// (database/sql's DBStats, exported as metrics by the server). Callers
// must not close them or change their settings.
func (s *Store) Pools() (writer, reader *sql.DB) { return s.w, s.r.DB }
