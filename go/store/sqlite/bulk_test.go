package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/seed"
	"github.com/starling-social/starling/go/store"
)

type lenEmbedder struct{}

func (lenEmbedder) Name() string { return "len-v1" }
func (lenEmbedder) Embed(text string) []float32 {
	return []float32{float32(len(text)), 1}
}

func bulkStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "bulk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func bulkPlan(t *testing.T) *seed.Plan {
	t.Helper()
	c := seed.Config{Accounts: 150, Statuses: 1500, Follows: 6, Favourites: 5, Boosts: 2, Embedder: lenEmbedder{},
		Render: func(s string) string { return "<p>" + s + "</p>" }, Now: time.Now(), Span: time.Hour, Seed: 3, Batch: 250}
	for i := range 900 {
		c.Texts = append(c.Texts, fmt.Sprintf("post %d on topic%d", i, i/300))
		c.Sources = append(c.Sources, fmt.Sprint("src", i/300))
	}
	p, err := seed.NewPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBulkLoad loads a plan and checks what the ordinary read paths rely
// on: the counts equal the rows, full-text search and the vectors find
// the statuses, and the writer's durability setting is back.
func TestBulkLoad(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	p := bulkPlan(t)
	if err := s.BulkLoad(ctx, p.Batches().Next); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"followers":  `SELECT count(*) FROM accounts a WHERE followers_count != (SELECT count(*) FROM follows WHERE target_account_id = a.id)`,
		"following":  `SELECT count(*) FROM accounts a WHERE following_count != (SELECT count(*) FROM follows WHERE account_id = a.id)`,
		"statuses":   `SELECT count(*) FROM accounts a WHERE statuses_count != (SELECT count(*) FROM statuses WHERE account_id = a.id)`,
		"favourites": `SELECT count(*) FROM statuses s WHERE favourites_count != (SELECT count(*) FROM favourites WHERE status_id = s.id)`,
		"reblogs": `SELECT count(*) FROM statuses s WHERE reblog_of_id IS NULL
			AND reblogs_count != (SELECT count(*) FROM statuses r WHERE r.reblog_of_id = s.id)`,
		"conversations": `SELECT count(*) FROM statuses WHERE conversation_id IS NOT id`,
	} {
		var bad int
		if err := s.r.QueryRowContext(ctx, q).Scan(&bad); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bad != 0 {
			t.Errorf("%s: %d rows disagree with their count", name, bad)
		}
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM statuses WHERE reblog_of_id IS NULL`).Scan(&n); err != nil || n != 1500 {
		t.Fatalf("%d originals (%v), want 1500", n, err)
	}
	ids, err := s.SearchStatusIDsByText(ctx, "topic2", 5000)
	if err != nil || len(ids) == 0 {
		t.Fatalf("full-text search found %d (%v)", len(ids), err)
	}
	vecs, err := s.ListStatusVectors(ctx, "len-v1", 0, 5000)
	if err != nil || len(vecs) != 1500 {
		t.Fatalf("%d vectors (%v), want 1500", len(vecs), err)
	}
	if sync, err := s.Synchronous(ctx); err != nil || sync != SyncFull {
		t.Errorf("synchronous after the load: %s (%v), want FULL", sync, err)
	}
	a, err := s.GetAccountByUsername(ctx, p.Username(0))
	if err != nil || a.FollowersCount == 0 {
		t.Fatalf("most followed account %q: %+v, %v", p.Username(0), a, err)
	}
	found, err := s.SearchAccounts(ctx, store.AccountSearch{Query: p.Username(0), Limit: 1})
	if err != nil || len(found) != 1 || found[0].ID != a.ID {
		t.Errorf("typeahead for %q found %v (%v)", p.Username(0), found, err)
	}
}

// TestBulkLoadRefusesData: a database with an account is not bulk loaded,
// and nothing is written.
func TestBulkLoadRefusesData(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	if empty, err := s.IsEmpty(ctx); err != nil || !empty {
		t.Fatalf("new store: empty %v (%v)", empty, err)
	}
	if err := s.PutAccount(ctx, &store.Account{ID: 1, Username: "first", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	err := s.BulkLoad(ctx, bulkPlan(t).Batches().Next)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("bulk load into a store with an account: %v", err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d accounts after the refused load (%v)", n, err)
	}
}

// TestBulkLoadRollsBackABadBatch: a batch that breaks a constraint is
// not half written, and the error says which table.
func TestBulkLoadRollsBackABadBatch(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	now := time.Now()
	batches := []*store.BulkBatch{
		{Accounts: []*store.Account{{ID: 1, Username: "a", CreatedAt: now}, {ID: 2, Username: "b", CreatedAt: now}}},
		{Follows: []*store.Follow{{ID: 1, AccountID: 1, TargetAccountID: 2, CreatedAt: now}, {ID: 2, AccountID: 1, TargetAccountID: 99, CreatedAt: now}}},
	}
	err := s.BulkLoad(ctx, func() (*store.BulkBatch, error) {
		if len(batches) == 0 {
			return nil, nil
		}
		b := batches[0]
		batches = batches[1:]
		return b, nil
	})
	if err == nil || !strings.Contains(err.Error(), "follows") {
		t.Fatalf("a follow of a missing account: %v", err)
	}
	var follows, accounts int
	if err := s.r.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM follows), (SELECT count(*) FROM accounts)`).Scan(&follows, &accounts); err != nil {
		t.Fatal(err)
	}
	if follows != 0 || accounts != 2 {
		t.Fatalf("%d follows, %d accounts after the failed batch; want 0 and 2", follows, accounts)
	}
}
