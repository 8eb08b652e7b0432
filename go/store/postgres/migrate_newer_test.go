package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/store/storetest"
)

// TestMigrateRefusesNewerSchema: a database carrying a migration this
// binary lacks (written by a newer release) is refused, by name.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := newTestStore(t)
	if _, err := postgres.Pool(s).Exec(t.Context(),
		`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_the_future.sql')`); err != nil {
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
	url := testURL(t)
	storetest.RunUpgrade(t, "postgres", func(t *testing.T) (store.Store, storetest.RawExec, func(context.Context, int) error) {
		s := pgtest.OpenStore(t, pgtest.NewSchema(t, url))
		return s, func(ctx context.Context, query string) error {
				_, err := postgres.Pool(s).Exec(ctx, query)
				return err
			}, func(ctx context.Context, upTo int) error {
				return postgres.MigrateFS(ctx, s, postgres.MigrationFS, upTo)
			}
	})
}

// TestMigrationIsOneTransaction: a migration that fails part way leaves
// nothing of itself and no record; the migrations before it stay applied.
func TestMigrationIsOneTransaction(t *testing.T) {
	s := pgtest.OpenStore(t, pgtest.NewSchema(t, testURL(t)))
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x bigint);`)},
		"migrations/0002_b.sql": {Data: []byte(`CREATE TABLE b (x bigint); INSERT INTO missing VALUES (1);`)},
	}
	err := postgres.MigrateFS(t.Context(), s, fsys, 0)
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate with a failing 0002: %v", err)
	}
	var tables, records int
	if err := postgres.Pool(s).QueryRow(t.Context(),
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('a', 'b')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Pool(s).QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if tables != 1 || records != 1 {
		t.Errorf("after a failed 0002: %d of tables a, b and %d records; want a only, one record", tables, records)
	}
}
