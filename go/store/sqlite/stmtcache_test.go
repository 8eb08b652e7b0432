package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestReadDBPreparesOnce checks the read pool's statement cache: a query
// is prepared once and reused, a bad query fails as it would unprepared,
// and beyond the bound queries still run, unprepared.
func TestReadDBPreparesOnce(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.r
	before := len(d.stmts)
	for range 3 {
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE id > ?`, 0).Scan(&n); err != nil || n != 0 {
			t.Fatalf("count = %d, %v", n, err)
		}
	}
	if got := len(d.stmts) - before; got != 1 {
		t.Errorf("3 runs of one query left %d new statements, want 1", got)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT nope FROM nowhere`).Scan(&n); err == nil {
		t.Error("a bad query succeeded")
	}
	if _, err := d.QueryContext(ctx, `SELECT nope FROM nowhere`); err == nil {
		t.Error("a bad query succeeded")
	}
	for i := len(d.stmts); i < maxCachedStmts; i++ {
		if _, err := d.stmt(ctx, fmt.Sprintf(`SELECT %d`, i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := d.QueryContext(ctx, `SELECT 'beyond the bound'`)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if !rows.Next() || rows.Scan(&got) != nil || got != "beyond the bound" {
		t.Errorf("query beyond the bound: %q, %v", got, rows.Err())
	}
	rows.Close()
	if len(d.stmts) != maxCachedStmts {
		t.Errorf("cache holds %d statements, want the bound %d", len(d.stmts), maxCachedStmts)
	}
}
