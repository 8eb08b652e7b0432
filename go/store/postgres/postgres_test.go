package postgres_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/store/storetest"
)

// testURL returns STARLING_TEST_PG or skips the test.
func testURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("STARLING_TEST_PG")
	if url == "" {
		t.Skip("STARLING_TEST_PG not set: set it to a PostgreSQL URL " +
			"(e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests")
	}
	return url
}

// newTestStore returns a migrated Store in a fresh schema.
func newTestStore(t *testing.T) *postgres.Store {
	t.Helper()
	return pgtest.NewStore(t, testURL(t))
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

func TestDataMigrations(t *testing.T) {
	testURL(t)
	storetest.RunDataMigrations(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := postgres.Pool(s).Exec(ctx, query)
			return err
		}
	})
}

// TestConversationsBackfill: 0106 on a store that has conversations.
func TestConversationsBackfill(t *testing.T) {
	testURL(t)
	storetest.RunConversationsBackfill(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := postgres.Pool(s).Exec(ctx, query)
			return err
		}
	})
}

// TestNotificationGroupsMigration: 0061 keeps every notification.
func TestNotificationGroupsMigration(t *testing.T) {
	testURL(t)
	storetest.RunNotificationGroupsMigration(t, func(t *testing.T) (store.Store, storetest.RawExec) {
		s := newTestStore(t)
		return s, func(ctx context.Context, query string) error {
			_, err := postgres.Pool(s).Exec(ctx, query)
			return err
		}
	}, []string{
		`DROP INDEX notifications_account_id_group_key_idx`,
		`ALTER TABLE notifications DROP COLUMN group_key`,
		`ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`,
		`ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
			CHECK (type IN ('mention', 'reblog', 'favourite', 'follow', 'follow_request', 'status'))`,
	})
}

// TestSlowQueryCutByDeadline: a query still running when its context's
// deadline passes is cancelled on the server, so a request deadline bounds
// the database time it can take (api.Options.RequestTimeout).
func TestSlowQueryCutByDeadline(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := postgres.Pool(s).Exec(ctx, `SELECT pg_sleep(60)`)
	if err == nil {
		t.Fatal("pg_sleep(60) returned without error under a 100 ms deadline")
	}
	if ctx.Err() == nil {
		t.Fatalf("the query failed before its deadline: %v", err)
	}
	// Not a speed claim: a query that was not cancelled would take 60 s.
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("the query ran %s past a 100 ms deadline", el)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("the pool after the cancelled query: %v", err)
	}
}

func TestOpen(t *testing.T) {
	s, err := postgres.Open(t.Context(), testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(t.Context(), "postgres://user@[bad"); err == nil {
		t.Error("Open of a malformed URL succeeded")
	}
}

func TestMigrationsCreateTables(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	rows, _ := postgres.Pool(s).Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_name`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// Every table of every migration.
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
		"suggestion_dismissals",
		"tag_follows",
		"tokens",
	}
	if !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}

	// The case-insensitive username index is an expression index.
	var indexdef string
	if err := postgres.Pool(s).QueryRow(ctx, `
		SELECT indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND indexname = 'accounts_username_lower_idx'`).Scan(&indexdef); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(indexdef, "UNIQUE") || !strings.Contains(indexdef, "lower(username)") {
		t.Errorf("username index = %q, want UNIQUE on lower(username)", indexdef)
	}

	ms, err := store.LoadMigrations(postgres.MigrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var applied, last int
	if err := postgres.Pool(s).QueryRow(ctx,
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&applied, &last); err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) || last != ms[len(ms)-1].Version {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d up to %d",
			applied, last, len(ms), ms[len(ms)-1].Version)
	}
}

// Servers starting together: several Stores migrate one empty schema at
// once, and the advisory lock makes each migration run exactly once.
func TestMigrateConcurrently(t *testing.T) {
	schemaURL := pgtest.NewSchema(t, testURL(t))
	var stores []*postgres.Store
	for range 4 {
		stores = append(stores, pgtest.OpenStore(t, schemaURL))
	}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := postgres.Pool(stores[0]).QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if ms, _ := store.LoadMigrations(postgres.MigrationFS, "migrations"); n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// The translated error keeps the operation and the driver's own error, for
// logs.
func TestErrorsCarryContext(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if err := s.PutAccount(ctx, &store.Account{ID: 1, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	err := s.PutAccount(ctx, &store.Account{ID: 2, Username: "ALICE"})
	var pgErr *pgconn.PgError
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &pgErr) || pgErr.Code != postgres.UniqueViolation {
		t.Fatalf("duplicate username: %v, want ErrConflict wrapping SQLSTATE 23505", err)
	}
	if !strings.HasPrefix(err.Error(), "postgres: put account 2") {
		t.Errorf("error %q lacks the operation", err)
	}
	_, err = s.GetAccountByID(ctx, 99)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "postgres: get account 99") {
		t.Errorf("missing account: %v", err)
	}
}
