package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
)

// BackupInto writes a consistent copy of the database to dest, which must
// not exist, with VACUUM INTO: one read transaction, so the copy holds
// exactly the transactions committed before it began, and (in WAL mode)
// writers go on committing meanwhile. It runs on a reader connection and
// does not stop the server's writes.
func (s *Store) BackupInto(ctx context.Context, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("sqlite: backup into %q: file exists", dest)
	}
	if strings.ContainsRune(dest, 0) {
		return errors.New("sqlite: backup: NUL in the path")
	}
	// A reader connection is query_only; VACUUM INTO writes only dest, but
	// SQLite still refuses it there. Lift the pragma on one connection
	// for the copy and set it again before the pool gets it back; if that
	// fails, the connection is discarded, never returned writable.
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer conn.Close()
	restored := false
	defer func() {
		if !restored {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = off`); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	_, verr := conn.ExecContext(ctx, `VACUUM INTO ?`, dest)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = on`); err == nil {
		restored = true
	}
	if verr != nil {
		return fmt.Errorf("sqlite: backup into %q: %w", dest, verr)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns an error naming
// the first problems it reports, or nil when the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	if err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlite: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlite: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}
