package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenTestSchema is for tests in other packages that need a real
// PostgreSQL store: it creates an empty schema with a random name on the
// server at url, returns a migrated Store whose connections use it, and
// drops the schema, with everything in it, when t ends. Tests running in
// parallel each get their own schema, so they share one database without
// seeing each other's rows. The caller decides whether to run at all
// (typically: skip when STARLING_TEST_PG is unset).
func OpenTestSchema(t testing.TB, url string) *Store {
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
	ctx := context.Background()
	if err := admin(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 4 // many tests share one server: keep each pool small
	s, err := OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // registered after the drop: runs before it
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
