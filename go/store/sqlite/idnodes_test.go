package sqlite_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store/sqlite"
)

// TestNodeLeases: processes on one database file get distinct nodes until
// none is left, a closed lease frees its node, and another file leases on
// its own. (Leases in one process conflict as leases in two do: flock
// locks belong to the open file, not to the process.)
func TestNodeLeases(t *testing.T) {
	open := func(path string) *sqlite.Store {
		t.Helper()
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "starling.db")
	held := map[int]*sqlite.NodeLease{}
	for range snowflake.Nodes {
		l, err := open(path).LeaseNode()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		n, err := l.Node()
		if err != nil || held[n] != nil {
			t.Fatalf("Node = %d, %v; held already: %v", n, err, held[n] != nil)
		}
		held[n] = l
	}
	if _, err := open(path).LeaseNode(); !errors.Is(err, sqlite.ErrNoFreeNode) {
		t.Fatalf("lease with all %d nodes held: %v, want ErrNoFreeNode", snowflake.Nodes, err)
	}
	other, err := open(filepath.Join(dir, "other.db")).LeaseNode()
	if err != nil {
		t.Fatalf("another database file: %v", err)
	}
	defer other.Close()
	const freed = 7
	if err := held[freed].Close(); err != nil {
		t.Fatal(err)
	}
	l, err := open(path).LeaseNode()
	if err != nil {
		t.Fatalf("after node %d's holder closed: %v", freed, err)
	}
	defer l.Close()
	if n, _ := l.Node(); n != freed {
		t.Fatalf("took node %d, want the freed %d", n, freed)
	}
}
