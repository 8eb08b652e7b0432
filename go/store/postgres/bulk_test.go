package postgres_test

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
)

// TestBulkLoadAnalyzes: a bulk load leaves statistics behind, so the
// planner walks the newest rows for a common word's search instead of
// ranking all its matches (it has no statistics otherwise until
// autovacuum runs, if it runs).
func TestBulkLoadAnalyzes(t *testing.T) {
	s, ctx := newTestStore(t), t.Context()
	now := time.Now()
	batch := &store.BulkBatch{Accounts: []*store.Account{{ID: 1, Username: "a", CreatedAt: now}},
		Statuses: []*store.Status{{ID: 2, AccountID: 1, Text: "the words", Visibility: store.VisibilityPublic,
			Language: "en", CreatedAt: now}}}
	if err := s.BulkLoad(ctx, store.BatchesOf(batch)); err != nil {
		t.Fatal(err)
	}
	var analyzed bool
	if err := postgres.Pool(s).QueryRow(ctx, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables
		WHERE relname = 'statuses' AND schemaname = current_schema()`).Scan(&analyzed); err != nil {
		t.Fatal(err)
	}
	if !analyzed {
		t.Error("statuses not analysed after the bulk load")
	}
}
