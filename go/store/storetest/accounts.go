package storetest

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseAccounts(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()

		last := testTime(42)
		full := newAccount("Full_Account")
		full.FollowersCount, full.FollowingCount, full.StatusesCount = 3, 5, 7
		full.LastStatusAt = &last
		mustNot(t, s.PutAccount(ctx, full), "PutAccount full")

		// Every boolean false, every string empty, no last status.
		bare := &store.Account{ID: nextID(), Username: "bare", CreatedAt: testTime(1)}
		mustNot(t, s.PutAccount(ctx, bare), "PutAccount bare")

		for _, want := range []*store.Account{full, bare} {
			got, err := s.GetAccountByID(ctx, want.ID)
			mustNot(t, err, "GetAccountByID")
			checkAccount(t, got, want)

			got, err = s.GetAccountByUsername(ctx, want.Username)
			mustNot(t, err, "GetAccountByUsername")
			checkAccount(t, got, want)
		}
	})

	t.Run("UsernameIsCaseInsensitive", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "Alice")

		for _, name := range []string{"alice", "ALICE", "aLiCe"} {
			got, err := s.GetAccountByUsername(ctx, name)
			mustNot(t, err, "GetAccountByUsername "+name)
			if got.ID != alice.ID || got.Username != "Alice" {
				t.Errorf("GetAccountByUsername(%q) = %d %q, want %d %q (spelling kept)",
					name, got.ID, got.Username, alice.ID, "Alice")
			}
		}

		err := s.PutAccount(ctx, newAccount("aLICE"))
		mustBeErrConflict(t, err, "PutAccount aLICE after Alice")

		// The losing insert changed nothing.
		got := getAccount(t, s, alice.ID)
		checkAccount(t, got, alice)
	})

	t.Run("DuplicateID", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a := putAccount(t, s, "first")
		dup := newAccount("second")
		dup.ID = a.ID
		mustBeErrConflict(t, s.PutAccount(ctx, dup), "PutAccount with a taken ID")
		_, err := s.GetAccountByUsername(ctx, "second")
		mustBeErrNotFound(t, err, "GetAccountByUsername second")
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		putAccount(t, s, "someone")
		_, err := s.GetAccountByID(ctx, nextID())
		mustBeErrNotFound(t, err, "GetAccountByID missing")
		_, err = s.GetAccountByUsername(ctx, "nobody")
		mustBeErrNotFound(t, err, "GetAccountByUsername missing")
		_, err = s.GetAccountByUsername(ctx, "")
		mustBeErrNotFound(t, err, "GetAccountByUsername empty")
	})

	t.Run("GetAccountsByIDs", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a, b, c := putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c")

		got, err := s.GetAccountsByIDs(ctx, []int64{c.ID, nextID(), a.ID})
		mustNot(t, err, "GetAccountsByIDs")
		slices.SortFunc(got, func(x, y *store.Account) int { return cmpID(x.ID, y.ID) })
		if len(got) != 2 {
			t.Fatalf("GetAccountsByIDs(c, missing, a) returned %d accounts, want 2 (missing skipped)", len(got))
		}
		checkAccount(t, got[0], a)
		checkAccount(t, got[1], c)

		all, err := s.GetAccountsByIDs(ctx, []int64{a.ID, b.ID, c.ID})
		mustNot(t, err, "GetAccountsByIDs all")
		if len(all) != 3 {
			t.Errorf("GetAccountsByIDs(a, b, c) returned %d accounts, want 3", len(all))
		}

		for _, empty := range [][]int64{nil, {}, {nextID()}} {
			got, err := s.GetAccountsByIDs(ctx, empty)
			mustNot(t, err, "GetAccountsByIDs with nothing to find")
			if len(got) != 0 {
				t.Errorf("GetAccountsByIDs(%v) returned %d accounts, want 0", empty, len(got))
			}
		}
	})
}

func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
