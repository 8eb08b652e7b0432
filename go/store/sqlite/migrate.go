package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/starling-social/starling/go/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own write transaction together with its
// record. Running it again is a no-op. Because every write transaction
// begins IMMEDIATE, two processes migrating the same file take turns, and
// the second sees the first one's records.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, migrationFS, 0) }

// migrate applies the migrations of fsys up to version upTo (every one
// when 0). Tests build an earlier release's schema with it, and check that
// a failing migration leaves nothing behind.
func (s *Store) migrate(ctx context.Context, fsys fs.FS, upTo int) error {
	ms, err := store.LoadMigrations(fsys, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: create schema_migrations: %w", err)
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	if err := store.CheckApplied(applied, ms); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for _, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // already applied
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, toDB(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// appliedMigrations reads schema_migrations: version to name.
func (s *Store) appliedMigrations(ctx context.Context) (map[int]string, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrate: read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]string{}
	for rows.Next() {
		var (
			v    int
			name string
		)
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("sqlite: migrate: read schema_migrations: %w", err)
		}
		applied[v] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: migrate: read schema_migrations: %w", err)
	}
	return applied, nil
}

// MigrationStatus compares the database's schema with this binary's
// migrations without changing anything (starling doctor).
func (s *Store) MigrationStatus(ctx context.Context) (store.MigrationStatus, error) {
	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return store.MigrationStatus{}, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return store.MigrationStatus{}, fmt.Errorf("sqlite: migrations: %w", err)
	}
	applied := map[int]string{}
	if n > 0 {
		if applied, err = s.appliedMigrations(ctx); err != nil {
			return store.MigrationStatus{}, err
		}
	}
	return store.CompareMigrations(applied, ms), nil
}
