package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/storetest"
)

// newTestStore opens and migrates a database of its own in a temp dir.
// Sharing one file between parallel tests would serialise them on the write
// lock and invite SQLITE_BUSY from checkpoints.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "starling.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

func TestDataMigrations(t *testing.T) {
	storetest.RunDataMigrations(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := s.w.ExecContext(ctx, query)
			return err
		}
	})
}

// TestConversationsBackfill: 0106 on a store that has conversations.
func TestConversationsBackfill(t *testing.T) {
	storetest.RunConversationsBackfill(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := s.w.ExecContext(ctx, query)
			return err
		}
	})
}

// TestNotificationGroupsMigration: 0061 rebuilds the notifications table
// (SQLite cannot alter a CHECK constraint) and keeps every row.
func TestNotificationGroupsMigration(t *testing.T) {
	storetest.RunNotificationGroupsMigration(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := s.w.ExecContext(ctx, query)
			return err
		}
	}, []string{
		`CREATE TABLE notifications_old (
			id              INTEGER PRIMARY KEY,
			account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			type            TEXT    NOT NULL CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status')),
			status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
			created_at      INTEGER NOT NULL
		) STRICT`,
		`INSERT INTO notifications_old SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications`,
		`DROP TABLE notifications`,
		`ALTER TABLE notifications_old RENAME TO notifications`,
		`CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC)`,
		`CREATE INDEX notifications_status_id_idx ON notifications (status_id) WHERE status_id IS NOT NULL`,
		`CREATE INDEX notifications_from_account_id_idx ON notifications (from_account_id)`,
	})
}

func TestOpenCreatesParentDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "does", "not", "exist", "starling.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsNonPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?_fk=off"} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestPragmas(t *testing.T) {
	s := newTestStore(t)
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r.DB} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"foreign_keys": "1",
			"synchronous":  "2", // FULL: durable by default
			"busy_timeout": fmt.Sprint(busyTimeout.Milliseconds()),
		} {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", name, pragma, err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
			}
		}
	}
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
}

// TestSynchronousOption checks that WithSynchronous reaches every
// connection and that Synchronous reads it back; the default (FULL) is
// checked by TestPragmas.
func TestSynchronousOption(t *testing.T) {
	for _, tt := range []struct {
		opts []Option
		want Synchronous
		num  string
	}{
		{nil, SyncFull, "2"},
		{[]Option{WithSynchronous(SyncNormal)}, SyncNormal, "1"},
		{[]Option{WithSynchronous(SyncFull)}, SyncFull, "2"},
	} {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "starling.db"), tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r.DB} {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.num {
				t.Errorf("%s with %d options: PRAGMA synchronous = %s, want %s", name, len(tt.opts), got, tt.num)
			}
		}
		if got, err := s.Synchronous(t.Context()); err != nil || got != tt.want {
			t.Errorf("Synchronous() = %q, %v; want %q", got, err, tt.want)
		}
		s.Close()
	}
	if _, err := Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), WithSynchronous("OFF")); err == nil {
		t.Error("Open with synchronous OFF succeeded; only FULL and NORMAL are offered")
	}
	for in, want := range map[string]Synchronous{"full": SyncFull, " Normal ": SyncNormal, "FULL": SyncFull} {
		if got, err := ParseSynchronous(in); err != nil || got != want {
			t.Errorf("ParseSynchronous(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "off", "extra", "2"} {
		if _, err := ParseSynchronous(in); err == nil {
			t.Errorf("ParseSynchronous(%q) succeeded", in)
		}
	}
}

// TestSlowQueryCutByDeadline: a query still running when its context's
// deadline passes is interrupted, so a request deadline bounds the
// database time it can take (api.Options.RequestTimeout).
func TestSlowQueryCutByDeadline(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var n int64
	// Counts forever: only the interrupt ends it.
	err := s.r.QueryRowContext(ctx, `
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c`).Scan(&n)
	if err == nil {
		t.Fatalf("an endless query returned %d", n)
	}
	if ctx.Err() == nil {
		t.Fatalf("the query failed before its deadline: %v", err)
	}
	// The reader it ran on is usable again.
	if err := s.r.QueryRowContext(t.Context(), `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		t.Fatalf("a query after the interrupted one: %v", err)
	}
}

func TestReadersCannotWrite(t *testing.T) {
	s := newTestStore(t)
	_, err := s.r.ExecContext(t.Context(), `DELETE FROM accounts`)
	if err == nil {
		t.Fatal("a write through the reader pool succeeded")
	}
}

func TestMigrationsCreateTables(t *testing.T) {
	s := newTestStore(t)
	rows, err := s.r.QueryContext(t.Context(),
		`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := collect(rows, func(r scanner) (name string, err error) { err = r.Scan(&name); return name, err })
	if err != nil {
		t.Fatal(err)
	}
	// Every table of every migration (the FTS4 index brings its shadow tables).
	want := []string{
		"account_conversation_statuses",
		"account_conversations",
		"account_domain_blocks",
		"account_notes",
		"account_preferences",
		"accounts",
		"admin_actions",
		"announcement_dismissals",
		"announcement_reactions",
		"announcements",
		"apps",
		"auth_codes",
		"blocks",
		"bookmarks",
		"conversation_mutes",
		"favourites",
		"featured_tags",
		"filter_keywords",
		"filter_statuses",
		"filters",
		"flagged_statuses",
		"follow_requests",
		"follows",
		"idempotency_keys",
		"list_accounts",
		"lists",
		"markers", "media_attachments",
		"mutes",
		"notifications",
		"policy_decisions", "poll_voters", "poll_votes", "polls",
		"reports", "scheduled_statuses",
		"schema_migrations",
		"status_edits",
		"status_mentions", "status_outbox",
		"status_pins",
		"status_tags", "status_vectors",
		"statuses",
		"statuses_fts",
		"statuses_fts_docsize",
		"statuses_fts_segdir",
		"statuses_fts_segments",
		"statuses_fts_stat",
		"suggestion_dismissals",
		"tag_follows",
		"tokens",
	}
	if !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}

	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var applied, last int
	if err := s.r.QueryRowContext(t.Context(),
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&applied, &last); err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) || last != ms[len(ms)-1].Version {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d up to %d",
			applied, last, len(ms), ms[len(ms)-1].Version)
	}
}

// Two processes starting on one file: both Migrate at once, and each
// migration still runs exactly once.
func TestMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "starling.db")
	var wg sync.WaitGroup
	for range 4 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		wg.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		})
	}
	wg.Wait()
}

func TestTranslate(t *testing.T) {
	other := errors.New("disk on fire")
	for _, c := range []struct {
		name string
		in   error
		want error // sentinel, or nil for "passed through"
	}{
		{"NoRows", sql.ErrNoRows, store.ErrNotFound},
		{"Unique", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, store.ErrConflict},
		{"PrimaryKey", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintPrimaryKey}, store.ErrConflict},
		{"WrappedUnique", fmt.Errorf("insert: %w",
			sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}), store.ErrConflict},
		{"ForeignKey", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintForeignKey}, nil},
		{"Busy", sqlite3.Error{Code: sqlite3.ErrBusy}, nil},
		{"Other", other, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := translate(c.in)
			for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict} {
				if is, want := errors.Is(got, sentinel), sentinel == c.want; is != want {
					t.Errorf("translate(%v) = %v; errors.Is(_, %v) = %t, want %t", c.in, got, sentinel, is, want)
				}
			}
			if c.want == nil && got != c.in {
				t.Errorf("translate(%v) = %v, want it unchanged", c.in, got)
			}
		})
	}
	if translate(nil) != nil {
		t.Error("translate(nil) != nil")
	}
}

// The translated error keeps the operation and the driver's own error, for
// logs.
func TestErrorsCarryContext(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	a := &store.Account{ID: 1, Username: "alice"}
	if err := s.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	err := s.PutAccount(ctx, &store.Account{ID: 2, Username: "ALICE"})
	var se sqlite3.Error
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintUnique {
		t.Fatalf("duplicate username: %v, want ErrConflict wrapping SQLITE_CONSTRAINT_UNIQUE", err)
	}
	if !strings.HasPrefix(err.Error(), "sqlite: put account 2") {
		t.Errorf("error %q lacks the operation", err)
	}
	_, err = s.GetAccountByID(ctx, 99)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "sqlite: get account 99") {
		t.Errorf("missing account: %v", err)
	}
}
