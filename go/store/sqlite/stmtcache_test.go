package sqlite

import (
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// TestReadDBPreparesOnce checks the read pool's statement cache: a query
// is prepared once and reused, a bad query fails as it would unprepared,
// and beyond the bound queries still run, unprepared.
func TestReadDBPreparesOnce(t *testing.T) {
	ctx := t.Context()
	d := bulkStore(t).r
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

// TestReadDBPreparesWithoutHoldingUp checks that preparing a new query does
// not hold up queries already prepared while it waits for a connection
// (every connection busy, as right after a restart), and that concurrent
// first uses of one text all get the one statement kept.
func TestReadDBPreparesWithoutHoldingUp(t *testing.T) {
	ctx := t.Context()
	d := bulkStore(t).r
	const known = `SELECT count(*) FROM accounts`
	if _, err := d.stmt(ctx, known); err != nil {
		t.Fatal(err)
	}
	// One connection, held by an open result set: preparing a new text
	// must wait for it.
	d.SetMaxOpenConns(1)
	defer d.SetMaxOpenConns(4)
	busy, err := d.DB.QueryContext(ctx, `SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close() // also on failure, or the preparers never return
	prepared := make(chan *sql.Stmt, 8)
	for range cap(prepared) {
		go func() {
			st, err := d.stmt(ctx, `SELECT count(*) FROM statuses`)
			if err != nil {
				t.Error(err)
			}
			prepared <- st
		}()
	}
	// Once a preparer waits for the connection, the known statement is
	// still served.
	for d.Stats().WaitCount == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if st, err := d.stmt(ctx, known); err != nil || st == nil {
			t.Errorf("known statement: %v, %v", st, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a prepared statement was held up by the preparation of another")
	}
	busy.Close()
	var first *sql.Stmt
	for i := range cap(prepared) {
		st := <-prepared
		if i == 0 {
			first = st
		}
		if st == nil || st != first {
			t.Fatalf("concurrent first uses got different statements: %p, %p", st, first)
		}
	}
	if d.stmts[`SELECT count(*) FROM statuses`] != first {
		t.Error("the statement returned is not the one kept")
	}
}
