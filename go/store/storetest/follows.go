package storetest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func newFollow(from, to *store.Account) *store.Follow {
	return &store.Follow{ID: nextID(), AccountID: from.ID, TargetAccountID: to.ID,
		ShowReblogs: true, Notify: true, CreatedAt: testTime(7)}
}

func exerciseFollows(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTripAndCounts", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")

		ab := newFollow(alice, bob)
		mustNot(t, s.PutFollow(ctx, ab), "PutFollow alice→bob")
		// Both booleans false, to tell them apart from a default.
		ac := &store.Follow{ID: nextID(), AccountID: alice.ID, TargetAccountID: carol.ID, CreatedAt: testTime(8)}
		mustNot(t, s.PutFollow(ctx, ac), "PutFollow alice→carol")
		mustNot(t, s.PutFollow(ctx, newFollow(carol, bob)), "PutFollow carol→bob")

		for _, want := range []*store.Follow{ab, ac} {
			got, err := s.GetFollow(ctx, want.AccountID, want.TargetAccountID)
			mustNot(t, err, "GetFollow")
			checkFollow(t, got, want)
		}
		checkCounts(t, s, alice, 0, 2, 0)
		checkCounts(t, s, bob, 2, 0, 0)
		checkCounts(t, s, carol, 1, 1, 0)

		// Edges are directed.
		_, err := s.GetFollow(ctx, bob.ID, alice.ID)
		mustBeErrNotFound(t, err, "GetFollow bob→alice")
	})

	t.Run("GetFollowingIDs", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me := putAccount(t, s, "me")
		var targets []*store.Account
		for _, name := range []string{"t1", "t2", "t3", "t4", "t5"} {
			targets = append(targets, putAccount(t, s, name))
		}
		var want []int64
		// Follow in an order unrelated to the IDs: the result must be sorted.
		for _, i := range []int{3, 0, 4, 1} {
			mustNot(t, s.PutFollow(ctx, newFollow(me, targets[i])), "PutFollow")
			want = append(want, targets[i].ID)
		}
		mustNot(t, s.PutFollow(ctx, newFollow(targets[2], me)), "PutFollow back") // not mine
		slices.Sort(want)

		got, err := s.GetFollowingIDs(ctx, me.ID)
		mustNot(t, err, "GetFollowingIDs")
		if !slices.Equal(got, want) {
			t.Errorf("GetFollowingIDs = %v, want %v (ascending)", got, want)
		}

		none, err := s.GetFollowingIDs(ctx, targets[0].ID)
		mustNot(t, err, "GetFollowingIDs of an account following nobody")
		if len(none) != 0 {
			t.Errorf("GetFollowingIDs of an account following nobody = %v, want empty", none)
		}
	})

	t.Run("DuplicateLeavesCounts", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		first := newFollow(alice, bob)
		mustNot(t, s.PutFollow(ctx, first), "PutFollow")

		again := newFollow(alice, bob)
		again.Notify = false
		mustBeErrConflict(t, s.PutFollow(ctx, again), "PutFollow of an existing edge")
		checkCounts(t, s, alice, 0, 1, 0)
		checkCounts(t, s, bob, 1, 0, 0)

		got, err := s.GetFollow(ctx, alice.ID, bob.ID)
		mustNot(t, err, "GetFollow")
		checkFollow(t, got, first)
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		mustNot(t, s.PutFollow(ctx, newFollow(alice, bob)), "PutFollow alice→bob")
		mustNot(t, s.PutFollow(ctx, newFollow(carol, bob)), "PutFollow carol→bob")

		mustNot(t, s.DeleteFollow(ctx, alice.ID, bob.ID), "DeleteFollow")
		_, err := s.GetFollow(ctx, alice.ID, bob.ID)
		mustBeErrNotFound(t, err, "GetFollow after delete")
		checkCounts(t, s, alice, 0, 0, 0)
		checkCounts(t, s, bob, 1, 0, 0)

		// A missing edge is ErrNotFound and never drives a count negative.
		mustBeErrNotFound(t, s.DeleteFollow(ctx, alice.ID, bob.ID), "DeleteFollow twice")
		mustBeErrNotFound(t, s.DeleteFollow(ctx, bob.ID, carol.ID), "DeleteFollow of an edge never made")
		mustBeErrNotFound(t, s.DeleteFollow(ctx, nextID(), nextID()), "DeleteFollow between missing accounts")
		checkCounts(t, s, alice, 0, 0, 0)
		checkCounts(t, s, bob, 1, 0, 0)
		checkCounts(t, s, carol, 0, 1, 0)

		// The edge can be made again.
		mustNot(t, s.PutFollow(ctx, newFollow(alice, bob)), "PutFollow after delete")
		checkCounts(t, s, bob, 2, 0, 0)
	})

	t.Run("MissingAccount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		ghost := newAccount("ghost") // never stored

		if err := s.PutFollow(ctx, newFollow(alice, ghost)); err == nil {
			t.Error("PutFollow to a missing account succeeded")
		}
		if err := s.PutFollow(ctx, newFollow(ghost, alice)); err == nil {
			t.Error("PutFollow from a missing account succeeded")
		}
		checkCounts(t, s, alice, 0, 0, 0)
		_, err := s.GetFollow(ctx, alice.ID, ghost.ID)
		mustBeErrNotFound(t, err, "GetFollow to a missing account")
	})

	t.Run("GetFollowNotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		_, err := s.GetFollow(ctx, alice.ID, alice.ID)
		mustBeErrNotFound(t, err, "GetFollow self")
		_, err = s.GetFollow(ctx, nextID(), nextID())
		mustBeErrNotFound(t, err, "GetFollow missing accounts")
	})

	t.Run("ConcurrentCountsMatchRows", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		exerciseConcurrentFollows(t, s)
	})
}

// exerciseConcurrentFollows has many goroutines race to create, then delete,
// every edge of a complete directed graph (A→B and B→A at once included).
// Exactly one attempt per edge may win; the losers see ErrConflict or
// ErrNotFound; the counts must equal the rows at every quiet point.
func exerciseConcurrentFollows(t *testing.T, s store.Store) {
	const (
		nAccounts  = 6
		goroutines = 8
	)
	ctx := t.Context()
	var accounts []*store.Account
	for i := range nAccounts {
		accounts = append(accounts, putAccount(t, s, "racer"+string(rune('a'+i))))
	}
	type edge struct{ from, to *store.Account }
	var edges []edge
	for _, a := range accounts {
		for _, b := range accounts {
			if a != b {
				edges = append(edges, edge{a, b})
			}
		}
	}

	race := func(op string, do func(edge) error, loser error) {
		t.Helper()
		var wins atomic.Int64
		var wg sync.WaitGroup
		for g := range goroutines {
			order := slices.Clone(edges)
			rand.New(rand.NewPCG(uint64(g), 1)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			wg.Go(func() {
				for _, e := range order {
					switch err := do(e); {
					case err == nil:
						wins.Add(1)
					case errors.Is(err, loser):
					default:
						t.Errorf("%s %s→%s: %v (want nil or %v)", op, e.from.Username, e.to.Username, err, loser)
					}
				}
			})
		}
		wg.Wait()
		if got := wins.Load(); got != int64(len(edges)) {
			t.Errorf("%s: %d attempts succeeded, want exactly one per edge (%d)", op, got, len(edges))
		}
	}

	race("PutFollow", func(e edge) error { return s.PutFollow(ctx, newFollow(e.from, e.to)) }, store.ErrConflict)
	for _, a := range accounts {
		ids, err := s.GetFollowingIDs(ctx, a.ID)
		mustNot(t, err, "GetFollowingIDs")
		if len(ids) != nAccounts-1 {
			t.Errorf("%s follows %d accounts, want %d", a.Username, len(ids), nAccounts-1)
		}
		checkCounts(t, s, a, nAccounts-1, nAccounts-1, 0)
	}

	race("DeleteFollow", func(e edge) error { return s.DeleteFollow(ctx, e.from.ID, e.to.ID) }, store.ErrNotFound)
	for _, a := range accounts {
		ids, err := s.GetFollowingIDs(ctx, a.ID)
		mustNot(t, err, "GetFollowingIDs")
		if len(ids) != 0 {
			t.Errorf("%s still follows %v", a.Username, ids)
		}
		checkCounts(t, s, a, 0, 0, 0)
	}
}
