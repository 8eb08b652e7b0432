package store_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrationsForwardOnly guards the rule that a migration, once
// released, is never edited or removed: a database that applied it would
// not see the change (its version is recorded), so the schema would differ
// by where it was created. testdata/migrations.sum holds the SHA-256 of
// every released migration of both backends; add a line for each new one
// (`sha256sum sqlite/migrations/NNNN_x.sql` from go/store) and change the
// schema with a new migration, never by editing one listed there.
func TestMigrationsForwardOnly(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "migrations.sum"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, path, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			t.Fatalf("migrations.sum: bad line %q", sc.Text())
		}
		listed[path] = true
		b, err := os.ReadFile(filepath.FromSlash(path))
		if err != nil {
			t.Errorf("released migration %s is gone: %v", path, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("released migration %s was edited: add a new migration instead", path)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(listed) < 20 {
		t.Fatalf("only %d migrations listed: the sum file is wrong", len(listed))
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		paths, _ := filepath.Glob(filepath.Join(dialect, "migrations", "*.sql"))
		for _, p := range paths {
			if !listed[filepath.ToSlash(p)] {
				t.Logf("%s is not in testdata/migrations.sum yet: add it once it is released", p)
			}
		}
	}
}
