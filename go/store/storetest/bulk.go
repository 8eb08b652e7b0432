package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/seed"
	"github.com/starling-social/starling/go/store"
)

type bulkEmbedder struct{}

func (bulkEmbedder) Name() string { return "bulk-test-v1" }
func (bulkEmbedder) Embed(text string) []float32 {
	return []float32{float32(len(text)), 1}
}

// exerciseBulkLoad loads a seed plan (store.BulkLoader, where the backend
// has one) and reads it back through the ordinary read paths: the rows and
// the counts written with them, full-text search, the vectors; then an
// ordinary write on top of the loaded rows keeps counting from there. A
// second load is refused.
func exerciseBulkLoad(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("LoadAndReadBack", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		bulk, ok := s.(store.BulkLoader)
		if !ok {
			t.Skip("no bulk load path")
		}
		c := seed.Config{Accounts: 60, Statuses: 400, Follows: 5, Favourites: 4, Boosts: 2, Embedder: bulkEmbedder{},
			Render: func(s string) string { return "<p>" + s + "</p>" }, Now: time.Now(), Span: time.Hour, Seed: 9, Batch: 70}
		for i := range 300 {
			c.Texts = append(c.Texts, fmt.Sprintf("bulk post %d about subject%d", i, i/100))
			c.Sources = append(c.Sources, fmt.Sprint("s", i/100))
		}
		plan, err := seed.NewPlan(c)
		mustNot(t, err, "NewPlan")
		// Keep every batch to compare with what is read back.
		var all store.BulkBatch
		batches := plan.Batches()
		mustNot(t, bulk.BulkLoad(ctx, func() (*store.BulkBatch, error) {
			b, err := batches.Next()
			if b != nil {
				all.Accounts = append(all.Accounts, b.Accounts...)
				all.Statuses = append(all.Statuses, b.Statuses...)
				all.Vectors = append(all.Vectors, b.Vectors...)
			}
			return b, err
		}), "BulkLoad")
		if empty, err := bulk.IsEmpty(ctx); err != nil || empty {
			t.Fatalf("after the load: empty %v (%v)", empty, err)
		}
		for _, want := range all.Accounts {
			got := getAccount(t, s, want.ID)
			if got.Username != want.Username || got.FollowersCount != want.FollowersCount ||
				got.FollowingCount != want.FollowingCount || got.StatusesCount != want.StatusesCount {
				t.Fatalf("account %d read back as %+v, loaded %+v", want.ID, got, want)
			}
		}
		ids := make([]int64, len(all.Statuses))
		byID := map[int64]*store.Status{}
		for i, st := range all.Statuses {
			ids[i], byID[st.ID] = st.ID, st
		}
		got, err := s.GetStatusesByIDs(ctx, ids)
		mustNot(t, err, "GetStatusesByIDs")
		if len(got) != len(all.Statuses) {
			t.Fatalf("%d statuses read back, %d loaded", len(got), len(all.Statuses))
		}
		var target *store.Status
		for _, st := range got {
			want := byID[st.ID]
			if st.Text != want.Text || st.ReblogOfID != want.ReblogOfID || st.FavouritesCount != want.FavouritesCount ||
				st.ReblogsCount != want.ReblogsCount || st.Visibility != want.Visibility || !st.CreatedAt.Equal(want.CreatedAt.Truncate(time.Microsecond)) {
				t.Fatalf("status %d read back as %+v, loaded %+v", st.ID, st, want)
			}
			if target == nil && st.ReblogOfID == 0 && st.Visibility == store.VisibilityPublic {
				target = st
			}
		}
		found, err := s.SearchStatusIDsByText(ctx, "subject2", 1000)
		mustNot(t, err, "SearchStatusIDsByText")
		if len(found) == 0 {
			t.Error("full-text search finds no loaded status")
		}
		vecs, err := s.ListStatusVectors(ctx, "bulk-test-v1", 0, 1000)
		mustNot(t, err, "ListStatusVectors")
		if len(vecs) != len(all.Vectors) || len(vecs) != 400 {
			t.Errorf("%d vectors read back, %d loaded, want 400", len(vecs), len(all.Vectors))
		}
		// An ordinary favourite counts on from the loaded count.
		fan := putAccount(t, s, "bulkfan")
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: fan.ID, StatusID: target.ID, CreatedAt: testTime(1)}, nil),
			"PutFavourite")
		after, err := s.GetStatusesByIDs(ctx, []int64{target.ID})
		mustNot(t, err, "GetStatusesByIDs")
		if after[0].FavouritesCount != target.FavouritesCount+1 {
			t.Errorf("favourites count %d after one more, loaded %d", after[0].FavouritesCount, target.FavouritesCount)
		}
		if err := bulk.BulkLoad(ctx, plan.Batches().Next); err == nil {
			t.Error("a second bulk load into the loaded store succeeded")
		}
	})

	// A given mutual graph (starling seed --graph) loads as follows both
	// ways round, read back through the ordinary follow queries, with
	// the follower counts written beside them.
	t.Run("LoadGraph", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		bulk, ok := s.(store.BulkLoader)
		if !ok {
			t.Skip("no bulk load path")
		}
		g, err := seed.ReadGraph(strings.NewReader("id_1,id_2\n0,1\n0,2\n0,3\n2,3\n3,2\n4,0\n"))
		mustNot(t, err, "ReadGraph")
		c := seed.Config{Accounts: g.Nodes, Statuses: 25, Graph: g, Render: func(s string) string { return "<p>" + s + "</p>" },
			Now: time.Now(), Span: time.Hour, Seed: 3, Batch: 4}
		for i := range 50 {
			c.Texts = append(c.Texts, fmt.Sprintf("graph post %d", i))
			c.Sources = append(c.Sources, "g")
		}
		plan, err := seed.NewPlan(c)
		mustNot(t, err, "NewPlan")
		var accounts []*store.Account
		batches := plan.Batches()
		mustNot(t, bulk.BulkLoad(ctx, func() (*store.BulkBatch, error) {
			b, err := batches.Next()
			if b != nil {
				accounts = append(accounts, b.Accounts...)
			}
			return b, err
		}), "BulkLoad")
		// By rank: node 0 (4 follows) is 0, then 2 and 3 (2 each), then 1
		// and 4 (1 each).
		want := map[int][]int{0: {1, 2, 3, 4}, 1: {0, 2}, 2: {0, 1}, 3: {0}, 4: {0}}
		for i, a := range accounts {
			ids, err := s.GetFollowingIDs(ctx, a.ID)
			mustNot(t, err, "GetFollowingIDs")
			var wantIDs []int64
			for _, j := range want[i] {
				wantIDs = append(wantIDs, accounts[j].ID)
			}
			slices.Sort(wantIDs)
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("rank %d follows %v, want %v", i, ids, wantIDs)
			}
			got := getAccount(t, s, a.ID)
			if got.FollowersCount != int64(len(want[i])) || got.FollowingCount != int64(len(want[i])) || got.StatusesCount != 5 {
				t.Errorf("rank %d: %d followers, %d following, %d statuses; want %d, %d, 5", i, got.FollowersCount,
					got.FollowingCount, got.StatusesCount, len(want[i]), len(want[i]))
			}
		}
	})

	// A reply needs its parent's counts and thread, which the bulk path
	// does not derive: it is refused, and its batch not written.
	t.Run("RefusesReplies", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		bulk, ok := s.(store.BulkLoader)
		if !ok {
			t.Skip("no bulk load path")
		}
		now := time.Now()
		a := &store.Account{ID: nextID(), Username: "bulkreplier", CreatedAt: now}
		parent := &store.Status{ID: nextID(), AccountID: a.ID, Text: "p", Visibility: store.VisibilityPublic, Language: "en", CreatedAt: now}
		reply := &store.Status{ID: nextID(), AccountID: a.ID, InReplyToID: parent.ID, Text: "r", Visibility: store.VisibilityPublic,
			Language: "en", CreatedAt: now}
		sent := false
		err := bulk.BulkLoad(ctx, func() (*store.BulkBatch, error) {
			if sent {
				return nil, nil
			}
			sent = true
			return &store.BulkBatch{Accounts: []*store.Account{a}, Statuses: []*store.Status{parent, reply}}, nil
		})
		if err == nil {
			t.Fatal("a bulk-loaded reply was accepted")
		}
		if empty, err := bulk.IsEmpty(ctx); err != nil || !empty {
			t.Fatalf("after the refused batch: empty %v (%v)", empty, err)
		}
	})
}
