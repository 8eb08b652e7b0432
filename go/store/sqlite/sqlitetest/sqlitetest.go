// Package sqlitetest gives tests a fresh, migrated SQLite store each (the
// counterpart of postgres/pgtest): a temp file per test, since sharing
// one database across parallel tests ends in SQLITE_BUSY.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/starling-social/starling/go/store/sqlite"
)

// NewStore returns a migrated Store in t's temp directory, closed when t
// ends.
func NewStore(t testing.TB) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
