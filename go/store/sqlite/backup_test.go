package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupInto copies a database with a row in it, checks the copy has
// the row and passes the integrity check, that an existing destination is
// refused, and that the reader pool is still read-only afterwards (the
// backup lifts query_only on one connection only for the copy).
func TestBackupInto(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE drill (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO drill VALUES ('acknowledged')`); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "copy.db")
	if err := s.BackupInto(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := s.BackupInto(ctx, dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	s.r.SetMaxOpenConns(1) // the next statement gets the connection the backup used
	if _, err := s.r.ExecContext(ctx, `INSERT INTO drill VALUES ('via reader')`); err == nil {
		t.Error("the reader pool accepted a write after the backup")
	}

	c, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := c.r.QueryRowContext(ctx, `SELECT v FROM drill`).Scan(&v); err != nil || v != "acknowledged" {
		t.Errorf("copy holds %q, %v", v, err)
	}
}
