package postgres

import (
	"context"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool and MigrationFS let the external tests (package postgres_test, which
// imports pgtest and so cannot be inside this package) check the schema.
func Pool(s *Store) *pgxpool.Pool { return s.pool }

var MigrationFS = migrationFS

const UniqueViolation = uniqueViolation

// MigrateFS applies the migrations of fsys (its migrations directory) up
// to version upTo only (every one when 0).
func MigrateFS(ctx context.Context, s *Store, fsys fs.FS, upTo int) error {
	return s.migrate(ctx, fsys, upTo)
}

// LeasePID is the backend holding l's advisory lock, for tests that end
// that session from outside.
func LeasePID(l *NodeLease) uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pid
}
