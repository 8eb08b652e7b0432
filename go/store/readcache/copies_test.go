package readcache_test

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// putRows stores accounts 100-102 and a status of each, 200-202.
func putRows(t *testing.T, s store.Store) {
	t.Helper()
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, name := range []string{"ann", "bob", "cy"} {
		a := &store.Account{ID: int64(100 + i), Username: name, CreatedAt: at}
		if err := s.PutAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		st := &store.Status{ID: int64(200 + i), AccountID: a.ID, Text: name, Content: name,
			Visibility: store.VisibilityPublic, CreatedAt: at}
		if err := s.PutStatus(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
}

// A caller changing a row it read alone, from the database or from the
// cache, changes nothing the next caller reads: single rows are read to be
// changed and written back, and the cache serves them as copies.
func TestSingleRowsAreCopies(t *testing.T) {
	ctx := t.Context()
	s := readcache.NewChecked(sqlitetest.NewStore(t), 0)
	putRows(t, s)
	// The first round fills the cache, the others are served from it.
	for round := range 3 {
		a, err := s.GetAccountByID(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.GetStatusByID(ctx, 200)
		if err != nil {
			t.Fatal(err)
		}
		if a.Username != "ann" || st.Text != "ann" {
			t.Fatalf("round %d: account %q, status %q: a caller's change reached the cache", round, a.Username, st.Text)
		}
		a.Username, st.Text = "changed", "changed"
	}
	// Nor do they reach what batch reads share.
	as, err := s.GetAccountsByIDs(ctx, []int64{100})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Username != "ann" {
		t.Fatalf("GetAccountsByIDs = %+v, want ann", as)
	}
}

// Batch reads share the cache's rows; a store made by NewChecked catches a
// caller that changes one, on the next read that would serve it.
func TestCheckedCatchesAChangedSharedRow(t *testing.T) {
	ctx := t.Context()
	s := readcache.NewChecked(sqlitetest.NewStore(t), 0)
	putRows(t, s)
	ids := []int64{200, 201, 202}
	for range 2 { // fill, then served from memory: unchanged, no panic
		if _, err := s.GetStatusesByIDs(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	sts, err := s.GetStatusesByIDs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	sts[1].FavouritesCount++
	defer func() {
		if recover() == nil {
			t.Error("a changed shared status was served again without a panic")
		}
	}()
	_, _ = s.GetStatusesByIDs(ctx, ids)
}
