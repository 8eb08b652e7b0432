package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
)

// NewTestSchema is for tests that need a real PostgreSQL database of their
// own: it creates an empty schema with a random name on the server at
// serverURL, drops it, with everything in it, when t ends, and returns
// serverURL with search_path set to the schema (pgx passes unknown URL
// parameters on as run-time settings), so anything connecting with it —
// this package, or a server process under test — uses only that schema.
// Tests running in parallel each get their own schema and share one
// database without seeing each other's rows. The caller decides whether to
// run at all (typically: skip when STARLING_TEST_PG is unset).
func NewTestSchema(t testing.TB, serverURL string) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "starling_t_" + hex.EncodeToString(b[:])
	admin := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// Many tests share one server at once: keep each pool small.
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenTestSchema returns a migrated Store in a fresh schema (NewTestSchema),
// closed when t ends, before the schema is dropped.
func OpenTestSchema(t testing.TB, serverURL string) *Store {
	t.Helper()
	s := openTestStore(t, NewTestSchema(t, serverURL))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// openTestStore opens schemaURL and closes the Store when t ends. Cleanups
// run last-registered first, so it closes before NewTestSchema's drop.
func openTestStore(t testing.TB, schemaURL string) *Store {
	t.Helper()
	s, err := Open(context.Background(), schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
