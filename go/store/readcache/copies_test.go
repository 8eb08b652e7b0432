package readcache_test

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// A caller changing a row it was served, from the database or from the
// cache, one at a time or in a batch, changes nothing the next caller
// reads: the cache hands out copies.
func TestServedRowsAreCopies(t *testing.T) {
	ctx := t.Context()
	s := readcache.New(sqlitetest.NewStore(t), 0)
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, name := range []string{"ann", "bob", "cy"} {
		a := &store.Account{ID: int64(100 + i), Username: name, CreatedAt: at}
		if err := s.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		st := &store.Status{ID: int64(200 + i), AccountID: a.ID, Text: name, Content: name,
			Visibility: store.VisibilityPublic, CreatedAt: at}
		if err := s.PutStatus(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	accountIDs := []int64{100, 101, 102}
	statusIDs := []int64{200, 201, 202}
	// The first round fills the cache, the others are served from it.
	for round := range 3 {
		as, err := s.GetAccountsByIDs(ctx, accountIDs)
		if err != nil {
			t.Fatal(err)
		}
		sts, err := s.GetStatusesByIDs(ctx, statusIDs)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAccountByID(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.GetStatusByID(ctx, 200)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 3 || len(sts) != 3 {
			t.Fatalf("round %d: %d accounts, %d statuses, want 3 each", round, len(as), len(sts))
		}
		for _, a := range append(as, a) {
			if a.Username == "changed" || a.FollowersCount != 0 {
				t.Fatalf("round %d: account %d = %q, %d followers: a caller's change reached the cache",
					round, a.ID, a.Username, a.FollowersCount)
			}
			a.Username, a.FollowersCount = "changed", 99
		}
		for _, st := range append(sts, st) {
			if st.Text == "changed" || st.FavouritesCount != 0 {
				t.Fatalf("round %d: status %d = %q, %d favourites: a caller's change reached the cache",
					round, st.ID, st.Text, st.FavouritesCount)
			}
			st.Text, st.FavouritesCount = "changed", 99
		}
	}
}
