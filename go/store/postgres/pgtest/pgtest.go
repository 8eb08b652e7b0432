package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store/postgres"
)

// NewSchema is for tests that need a real PostgreSQL database of their
// own: it creates an empty schema with a random name on the server at
// serverURL, drops it, with everything in it, when t ends, and returns
// serverURL with search_path set to the schema (pgx passes unknown URL
// parameters on as run-time settings), so anything connecting with it —
// package postgres, or a server process under test — uses only that schema.
// Tests running in parallel each get their own schema and share one
// database without seeing each other's rows. The caller decides whether to
// run at all (typically: skip when STARLING_TEST_PG is unset).
func NewSchema(t testing.TB, serverURL string) string {
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

// NewStore returns a migrated Store in a fresh schema (NewSchema), closed
// when t ends, before the schema is dropped.
func NewStore(t testing.TB, serverURL string) *postgres.Store {
	t.Helper()
	s := OpenStore(t, NewSchema(t, serverURL))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// OpenStore opens schemaURL (from NewSchema) without migrating it and closes
// the Store when t ends. Cleanups run last-registered first, so it closes
// before NewSchema's drop.
func OpenStore(t testing.TB, schemaURL string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
