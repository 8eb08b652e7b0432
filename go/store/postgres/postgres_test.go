package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/storetest"
)

// testURL returns STARLING_TEST_PG or skips the test.
func testURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("STARLING_TEST_PG")
	if url == "" {
		t.Skip("STARLING_TEST_PG not set: set it to a PostgreSQL URL " +
			"(e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests")
	}
	return url
}

// newSchema creates an empty schema with a random name and drops it, with
// everything in it, when the test ends. Parallel tests each get their own,
// so they share one database without seeing each other's rows.
func newSchema(t *testing.T, url string) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "starling_t_" + hex.EncodeToString(b[:])
	admin := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled in Cleanup; keep its values only.
		ctx := context.WithoutCancel(t.Context())
		if err := admin(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openInSchema opens a Store whose connections use schema as search_path.
func openInSchema(t *testing.T, url, schema string) *Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	// Many tests run at once against one server: keep each pool small.
	cfg.MaxConns = 4
	s, err := OpenConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // registered after the schema's: runs first
	return s
}

// newTestStore returns a migrated Store in a fresh schema.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	url := testURL(t)
	s := openInSchema(t, url, newSchema(t, url))
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

func TestOpen(t *testing.T) {
	s, err := Open(t.Context(), testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), "postgres://user@[bad"); err == nil {
		t.Error("Open of a malformed URL succeeded")
	}
}

func TestMigrationsCreateTables(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	rows, _ := s.pool.Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_name`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// Every table of every migration.
	want := []string{
		"accounts",
		"apps",
		"auth_codes",
		"blocks",
		"bookmarks",
		"favourites",
		"follow_requests",
		"follows",
		"idempotency_keys",
		"list_accounts",
		"lists",
		"mutes",
		"notifications",
		"schema_migrations",
		"status_mentions",
		"status_pins",
		"status_tags",
		"statuses",
		"suggestion_dismissals",
		"tokens",
	}
	if !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}

	// The case-insensitive username index is an expression index.
	var indexdef string
	if err := s.pool.QueryRow(ctx, `
		SELECT indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND indexname = 'accounts_username_lower_idx'`).Scan(&indexdef); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(indexdef, "UNIQUE") || !strings.Contains(indexdef, "lower(username)") {
		t.Errorf("username index = %q, want UNIQUE on lower(username)", indexdef)
	}

	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var applied, last int
	if err := s.pool.QueryRow(ctx,
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&applied, &last); err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) || last != ms[len(ms)-1].Version {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d up to %d",
			applied, last, len(ms), ms[len(ms)-1].Version)
	}
}

// Servers starting together: several Stores migrate one empty schema at
// once, and the advisory lock makes each migration run exactly once.
func TestMigrateConcurrently(t *testing.T) {
	url := testURL(t)
	schema := newSchema(t, url)
	var stores []*Store
	for range 4 {
		stores = append(stores, openInSchema(t, url, schema))
	}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if ms, _ := store.LoadMigrations(migrationFS, "migrations"); n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// translate needs no server.
func TestTranslate(t *testing.T) {
	other := errors.New("connection reset")
	for _, c := range []struct {
		name string
		in   error
		want error // sentinel, or nil for "passed through"
	}{
		{"NoRows", pgx.ErrNoRows, store.ErrNotFound},
		{"WrappedNoRows", fmt.Errorf("scan: %w", pgx.ErrNoRows), store.ErrNotFound},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, store.ErrConflict},
		{"WrappedUniqueViolation", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), store.ErrConflict},
		{"ForeignKeyViolation", &pgconn.PgError{Code: "23503"}, nil},
		{"SerializationFailure", &pgconn.PgError{Code: "40001"}, nil},
		{"Other", other, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := translate(c.in)
			for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict} {
				if is, want := errors.Is(got, sentinel), sentinel == c.want; is != want {
					t.Errorf("translate(%v) = %v; errors.Is(_, %v) = %t, want %t", c.in, got, sentinel, is, want)
				}
			}
			if c.want == nil && got != c.in {
				t.Errorf("translate(%v) = %v, want it unchanged", c.in, got)
			}
		})
	}
	if translate(nil) != nil {
		t.Error("translate(nil) != nil")
	}
}

// The translated error keeps the operation and the driver's own error, for
// logs.
func TestErrorsCarryContext(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if err := s.PutAccount(ctx, &store.Account{ID: 1, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	err := s.PutAccount(ctx, &store.Account{ID: 2, Username: "ALICE"})
	var pgErr *pgconn.PgError
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &pgErr) || pgErr.Code != uniqueViolation {
		t.Fatalf("duplicate username: %v, want ErrConflict wrapping SQLSTATE 23505", err)
	}
	if !strings.HasPrefix(err.Error(), "postgres: put account 2") {
		t.Errorf("error %q lacks the operation", err)
	}
	_, err = s.GetAccountByID(ctx, 99)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "postgres: get account 99") {
		t.Errorf("missing account: %v", err)
	}
}
