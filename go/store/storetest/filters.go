package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// newFilter returns an unsaved filter of a with one keyword per word.
func newFilter(a *store.Account, title string, words ...string) *store.Filter {
	f := &store.Filter{ID: nextID(), AccountID: a.ID, Title: title, Context: []string{"home", "public"},
		Action: "warn", CreatedAt: testTime(1)}
	for i, w := range words {
		f.Keywords = append(f.Keywords, &store.FilterKeyword{ID: nextID(), FilterID: f.ID, Keyword: w, WholeWord: i%2 == 0})
	}
	return f
}

func keywordsOf(f *store.Filter) []string {
	out := make([]string, len(f.Keywords))
	for i, k := range f.Keywords {
		out[i] = k.Keyword
	}
	return out
}

var roomy = store.FilterLimits{Filters: 10, Keywords: 10}

func exerciseFilters(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("PutGetListDelete", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		expires := testTime(3600)
		f := newFilter(alice, "spoilers", "dune", "arrakis")
		f.ExpiresAt, f.Action, f.Context = &expires, "hide", []string{"thread", "account", "notifications"}
		mustNot(t, s.PutFilter(ctx, f, roomy), "PutFilter")
		g := newFilter(alice, "no keywords")
		mustNot(t, s.PutFilter(ctx, g, roomy), "PutFilter without keywords")
		mustNot(t, s.PutFilter(ctx, newFilter(bob, "bob's", "cats"), roomy), "PutFilter bob")

		got, err := s.GetFilter(ctx, alice.ID, f.ID)
		mustNot(t, err, "GetFilter")
		if got.Title != "spoilers" || got.Action != "hide" || got.AccountID != alice.ID ||
			!slices.Equal(got.Context, f.Context) || !slices.Equal(keywordsOf(got), []string{"dune", "arrakis"}) ||
			!got.Keywords[0].WholeWord || got.Keywords[1].WholeWord || got.Keywords[0].FilterID != f.ID {
			t.Errorf("GetFilter = %+v (keywords %v), want %+v", got, keywordsOf(got), f)
		}
		checkTime(t, "Filter.CreatedAt", got.CreatedAt, f.CreatedAt)
		checkTimePtr(t, "Filter.ExpiresAt", got.ExpiresAt, f.ExpiresAt)
		mustBeErrNotFound(t, errOnly(s.GetFilter(ctx, bob.ID, f.ID)), "GetFilter by another account")

		all, err := s.ListFilters(ctx, alice.ID)
		mustNot(t, err, "ListFilters")
		if len(all) != 2 || all[0].ID != f.ID || all[1].ID != g.ID || all[1].ExpiresAt != nil ||
			len(all[1].Keywords) != 0 || all[1].Statuses == nil {
			t.Fatalf("ListFilters = %+v, want [spoilers, no keywords] ascending, empty parts not nil", all)
		}
		k, err := s.GetFilterKeyword(ctx, alice.ID, f.Keywords[1].ID)
		mustNot(t, err, "GetFilterKeyword")
		if *k != *f.Keywords[1] {
			t.Errorf("GetFilterKeyword = %+v, want %+v", k, f.Keywords[1])
		}
		mustBeErrNotFound(t, errOnly(s.GetFilterKeyword(ctx, bob.ID, k.ID)), "GetFilterKeyword by another account")

		mustBeErrNotFound(t, s.DeleteFilter(ctx, bob.ID, f.ID), "DeleteFilter by another account")
		mustNot(t, s.DeleteFilter(ctx, alice.ID, f.ID), "DeleteFilter")
		mustBeErrNotFound(t, s.DeleteFilter(ctx, alice.ID, f.ID), "DeleteFilter twice")
		mustBeErrNotFound(t, errOnly(s.GetFilterKeyword(ctx, alice.ID, k.ID)), "keyword of a deleted filter")
		mustBeErrNotFound(t, s.PutFilter(ctx, newFilter(&store.Account{ID: nextID()}, "x"), roomy), "PutFilter by a missing account")
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		f := newFilter(alice, "before", "one", "two", "three")
		mustNot(t, s.PutFilter(ctx, f, roomy), "PutFilter")
		expires := testTime(60)
		change := &store.Filter{ID: f.ID, AccountID: alice.ID, Title: "after", Context: []string{"thread"}, Action: "blur", ExpiresAt: &expires}
		mustNot(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: change,
			Columns:          []string{"title", "context", "action", "expires_at"},
			DeleteKeywordIDs: []int64{f.Keywords[0].ID},
			UpdateKeywords:   []*store.FilterKeyword{{ID: f.Keywords[1].ID, Keyword: "TWO", WholeWord: true}},
			AddKeywords:      []*store.FilterKeyword{{ID: nextID(), FilterID: f.ID, Keyword: "four"}},
		}, roomy), "UpdateFilter")
		got, err := s.GetFilter(ctx, alice.ID, f.ID)
		mustNot(t, err, "GetFilter")
		if got.Title != "after" || got.Action != "blur" || !slices.Equal(got.Context, []string{"thread"}) ||
			!slices.Equal(keywordsOf(got), []string{"TWO", "three", "four"}) || !got.Keywords[0].WholeWord {
			t.Errorf("after update: %+v keywords %v", got, keywordsOf(got))
		}
		checkTimePtr(t, "Filter.ExpiresAt", got.ExpiresAt, &expires)
		// Clearing the expiry, and nothing else.
		mustNot(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: alice.ID},
			Columns: []string{"expires_at"}}, roomy), "UpdateFilter expires_at")
		if got, _ = s.GetFilter(ctx, alice.ID, f.ID); got.ExpiresAt != nil || got.Title != "after" {
			t.Errorf("after clearing the expiry: %+v", got)
		}

		// Another account's filter, or a keyword of another filter: not
		// found, and nothing of the update is applied.
		mustBeErrNotFound(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: bob.ID, Title: "x"},
			Columns: []string{"title"}}, roomy), "UpdateFilter by another account")
		other := newFilter(alice, "other", "five")
		mustNot(t, s.PutFilter(ctx, other, roomy), "PutFilter other")
		mustBeErrNotFound(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: alice.ID, Title: "x"},
			Columns: []string{"title"}, DeleteKeywordIDs: []int64{other.Keywords[0].ID}}, roomy), "deleting another filter's keyword")
		mustBeErrNotFound(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: alice.ID},
			UpdateKeywords: []*store.FilterKeyword{{ID: other.Keywords[0].ID, Keyword: "y"}}}, roomy), "updating another filter's keyword")
		if got, _ = s.GetFilter(ctx, alice.ID, f.ID); got.Title != "after" {
			t.Errorf("a failed update changed the title to %q", got.Title)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		lim := store.FilterLimits{Filters: 2, Keywords: 3}
		f := newFilter(alice, "a", "one", "two")
		mustNot(t, s.PutFilter(ctx, f, lim), "PutFilter")
		if err := s.PutFilter(ctx, newFilter(alice, "b", "three", "four"), lim); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("fourth keyword with max 3: %v, want ErrLimit", err)
		}
		mustNot(t, s.PutFilter(ctx, newFilter(alice, "b", "three"), lim), "PutFilter at the keyword cap")
		if err := s.PutFilter(ctx, newFilter(alice, "c"), lim); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("third filter with max 2: %v, want ErrLimit", err)
		}
		err := s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: alice.ID},
			AddKeywords: []*store.FilterKeyword{{ID: nextID(), FilterID: f.ID, Keyword: "x"}}}, lim)
		if !errors.Is(err, store.ErrLimit) {
			t.Fatalf("adding a keyword at the cap: %v, want ErrLimit", err)
		}
		// Replacing one is fine: the cap counts what is left.
		mustNot(t, s.UpdateFilter(ctx, &store.FilterUpdate{Filter: &store.Filter{ID: f.ID, AccountID: alice.ID},
			DeleteKeywordIDs: []int64{f.Keywords[0].ID},
			AddKeywords:      []*store.FilterKeyword{{ID: nextID(), FilterID: f.ID, Keyword: "x"}}}, lim), "replace a keyword at the cap")
		all, err := s.ListFilters(ctx, alice.ID)
		mustNot(t, err, "ListFilters")
		if len(all) != 2 || !slices.Equal(keywordsOf(all[0]), []string{"two", "x"}) {
			t.Errorf("after the refused writes: %d filters, first keywords %v", len(all), keywordsOf(all[0]))
		}
	})

	t.Run("ConcurrentPutsKeepTheLimit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		lim := store.FilterLimits{Filters: 3, Keywords: 100}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = s.PutFilter(ctx, newFilter(alice, "f", "w"), lim) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrLimit):
				t.Errorf("concurrent PutFilter: %v", err)
			}
		}
		all, err := s.ListFilters(ctx, alice.ID)
		mustNot(t, err, "ListFilters")
		if ok != 3 || len(all) != 3 {
			t.Errorf("%d puts succeeded, %d filters stored; want 3 and 3", ok, len(all))
		}
	})

	t.Run("Statuses", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		st1, st2, st3 := newStatus(bob, 1), newStatus(bob, 2), newStatus(bob, 3)
		for _, st := range []*store.Status{st1, st2, st3} {
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		}
		f, bf := newFilter(alice, "a"), newFilter(bob, "b")
		mustNot(t, s.PutFilter(ctx, f, roomy), "PutFilter")
		mustNot(t, s.PutFilter(ctx, bf, roomy), "PutFilter bob")
		fs1 := &store.FilterStatus{ID: nextID(), FilterID: f.ID, StatusID: st1.ID, CreatedAt: testTime(5)}
		mustNot(t, s.PutFilterStatus(ctx, alice.ID, fs1, 2), "PutFilterStatus")
		mustBeErrConflict(t, s.PutFilterStatus(ctx, alice.ID, &store.FilterStatus{ID: nextID(), FilterID: f.ID, StatusID: st1.ID,
			CreatedAt: testTime(6)}, 2), "PutFilterStatus twice")
		mustBeErrNotFound(t, s.PutFilterStatus(ctx, alice.ID, &store.FilterStatus{ID: nextID(), FilterID: bf.ID, StatusID: st2.ID,
			CreatedAt: testTime(6)}, 2), "PutFilterStatus into another account's filter")
		mustBeErrNotFound(t, s.PutFilterStatus(ctx, alice.ID, &store.FilterStatus{ID: nextID(), FilterID: f.ID, StatusID: nextID(),
			CreatedAt: testTime(6)}, 2), "PutFilterStatus of a missing status")
		fs2 := &store.FilterStatus{ID: nextID(), FilterID: f.ID, StatusID: st2.ID, CreatedAt: testTime(7)}
		mustNot(t, s.PutFilterStatus(ctx, alice.ID, fs2, 2), "PutFilterStatus second")
		if err := s.PutFilterStatus(ctx, alice.ID, &store.FilterStatus{ID: nextID(), FilterID: f.ID, StatusID: st3.ID,
			CreatedAt: testTime(8)}, 2); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("third status with max 2: %v, want ErrLimit", err)
		}
		got, err := s.GetFilterStatus(ctx, alice.ID, fs1.ID)
		mustNot(t, err, "GetFilterStatus")
		checkTime(t, "FilterStatus.CreatedAt", got.CreatedAt, fs1.CreatedAt)
		if got.FilterID != f.ID || got.StatusID != st1.ID {
			t.Errorf("GetFilterStatus = %+v, want %+v", got, fs1)
		}
		mustBeErrNotFound(t, errOnly(s.GetFilterStatus(ctx, bob.ID, fs1.ID)), "GetFilterStatus by another account")

		// A status deleted leaves the filter; the filter shows the rest.
		_, _, err = s.DeleteStatusByID(ctx, st2.ID)
		mustNot(t, err, "DeleteStatusByID")
		ff, err := s.GetFilter(ctx, alice.ID, f.ID)
		mustNot(t, err, "GetFilter")
		if len(ff.Statuses) != 1 || ff.Statuses[0].StatusID != st1.ID {
			t.Errorf("filter statuses after deleting one = %+v, want [status 1]", ff.Statuses)
		}
		mustBeErrNotFound(t, s.DeleteFilterStatus(ctx, bob.ID, fs1.ID), "DeleteFilterStatus by another account")
		mustNot(t, s.DeleteFilterStatus(ctx, alice.ID, fs1.ID), "DeleteFilterStatus")
		mustBeErrNotFound(t, s.DeleteFilterStatus(ctx, alice.ID, fs1.ID), "DeleteFilterStatus twice")
	})
}

// errOnly drops a result, for checking the error of a getter.
func errOnly[T any](_ T, err error) error { return err }
