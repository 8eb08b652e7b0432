package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockKey names the advisory lock Migrate holds; any constant works as
// long as nothing else in the database uses it ("Strlng" in ASCII).
const migrateLockKey int64 = 0x5374726c6e67

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction together with its record.
// Each transaction first takes pg_advisory_xact_lock, so servers starting
// together queue up and the later ones find the migration already recorded;
// the lock is released at commit or rollback, never leaked. Running Migrate
// again is a no-op.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, migrationFS, 0) }

// migrate applies the migrations of fsys up to version upTo (every one
// when 0). Tests build an earlier release's schema with it, and check that
// a failing migration leaves nothing behind.
func (s *Store) migrate(ctx context.Context, fsys fs.FS, upTo int) error {
	ms, err := store.LoadMigrations(fsys, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := s.checkApplied(ctx, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			var applied bool
			if err := tx.QueryRow(ctx,
				`SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`,
				m.Version).Scan(&applied); err != nil {
				return err
			}
			if applied {
				return nil
			}
			// No arguments: pgx sends it with the simple protocol, which
			// accepts several statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx,
				`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// checkApplied refuses a database migrated by a newer binary (see
// store.CheckApplied). It creates schema_migrations if needed, under the
// lock Migrate takes, so two servers cannot race to create it.
func (s *Store) checkApplied(ctx context.Context, ms []store.Migration) error {
	applied := map[int]string{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			CREATE TABLE IF NOT EXISTS schema_migrations (
				version    integer     PRIMARY KEY,
				name       text        NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT version, name FROM schema_migrations`)
		if err != nil {
			return err
		}
		var (
			v    int
			name string
		)
		_, err = pgx.ForEachRow(rows, []any{&v, &name}, func() error {
			applied[v] = name
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := store.CheckApplied(applied, ms); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
