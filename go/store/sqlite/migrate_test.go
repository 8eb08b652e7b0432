package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/storetest"
)

// TestMigrateRefusesNewerSchema: a database carrying a migration this
// binary lacks (written by a newer release) is refused, by name, and left
// as it is.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.w.ExecContext(t.Context(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	err := s.Migrate(t.Context())
	if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "9999_from_the_future.sql") {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
}

// TestUpgradeFromPreviousSchema: a database built by an earlier schema,
// with rows in it, upgrades and reads back (storetest.RunUpgrade).
func TestUpgradeFromPreviousSchema(t *testing.T) {
	storetest.RunUpgrade(t, "sqlite", func(t *testing.T) (store.Store, storetest.RawExec, func(context.Context, int) error) {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "starling.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func(ctx context.Context, query string) error {
			_, err := s.w.ExecContext(ctx, query)
			return err
		}, func(ctx context.Context, upTo int) error { return s.migrate(ctx, migrationFS, upTo) }
	})
}

// TestMigrationIsOneTransaction: a migration that fails part way leaves
// nothing of itself (its first statement is rolled back with it) and no
// record, and the migrations before it stay applied.
func TestMigrationIsOneTransaction(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "starling.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER) STRICT;`)},
		"migrations/0002_b.sql": {Data: []byte(`CREATE TABLE b (x INTEGER) STRICT; INSERT INTO missing VALUES (1);`)},
	}
	err = s.migrate(t.Context(), fsys, 0)
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate with a failing 0002: %v", err)
	}
	var tables, records int
	if err := s.w.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if tables != 1 || records != 1 {
		t.Errorf("after a failed 0002: %d of tables a, b and %d records; want a only, one record", tables, records)
	}
}
