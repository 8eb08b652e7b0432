package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Pool and MigrationFS let the external tests (package postgres_test, which
// imports pgtest and so cannot be inside this package) check the schema.
func Pool(s *Store) *pgxpool.Pool { return s.pool }

var MigrationFS = migrationFS

const UniqueViolation = uniqueViolation
