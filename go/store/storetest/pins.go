package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func newPin(a *store.Account, st *store.Status, n int) *store.StatusPin {
	return &store.StatusPin{ID: nextID(), AccountID: a.ID, StatusID: st.ID, CreatedAt: testTime(n)}
}

func pinStatusIDs(ps []*store.StatusPin) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.StatusID
	}
	return out
}

func exercisePins(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTripAndLimit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		var sts []*store.Status
		for i := range 4 {
			st := newStatus(alice, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
		}
		// Pin out of status order: pins list by pin, newest first.
		first := newPin(alice, sts[2], 1)
		mustNot(t, s.PutStatusPin(ctx, first, 3), "PutStatusPin")
		mustNot(t, s.PutStatusPin(ctx, newPin(alice, sts[0], 2), 3), "PutStatusPin")
		mustNot(t, s.PutStatusPin(ctx, newPin(alice, sts[1], 3), 3), "PutStatusPin")
		// At the limit a repeat is still a conflict, a new pin is refused.
		mustBeErrConflict(t, s.PutStatusPin(ctx, newPin(alice, sts[0], 4), 3), "PutStatusPin twice")
		if err := s.PutStatusPin(ctx, newPin(alice, sts[3], 5), 3); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("fourth pin with max 3: %v, want one wrapping store.ErrLimit", err)
		}
		mustBeErrNotFound(t, s.PutStatusPin(ctx, &store.StatusPin{ID: nextID(), AccountID: bob.ID, StatusID: nextID(), CreatedAt: testTime(6)}, 3),
			"PutStatusPin of a missing status")

		pins, err := s.ListStatusPins(ctx, alice.ID)
		mustNot(t, err, "ListStatusPins")
		checkIDs(t, "ListStatusPins", pinStatusIDs(pins), []int64{sts[1].ID, sts[0].ID, sts[2].ID})
		checkTime(t, "StatusPin.CreatedAt", pins[2].CreatedAt, first.CreatedAt)
		if pins[2].ID != first.ID || pins[2].AccountID != alice.ID {
			t.Errorf("oldest pin = %+v, want %+v", pins[2], first)
		}
		none, err := s.ListStatusPins(ctx, bob.ID)
		mustNot(t, err, "ListStatusPins bob")
		checkIDs(t, "bob's pins", pinStatusIDs(none), nil)

		pinned, err := s.GetPinnedStatusIDs(ctx, alice.ID, statusIDs(sts))
		mustNot(t, err, "GetPinnedStatusIDs")
		if len(pinned) != 3 || !pinned[sts[0].ID] || !pinned[sts[1].ID] || !pinned[sts[2].ID] {
			t.Errorf("pinned = %v", pinned)
		}
		if other, err := s.GetPinnedStatusIDs(ctx, bob.ID, statusIDs(sts)); err != nil || len(other) != 0 {
			t.Errorf("bob's pinned = %v, %v; want none", other, err)
		}
		if empty, err := s.GetPinnedStatusIDs(ctx, alice.ID, nil); err != nil || len(empty) != 0 {
			t.Errorf("pinned of no statuses = %v, %v", empty, err)
		}

		// Unpinning frees a place; deleting a status takes its pin along.
		mustNot(t, s.DeleteStatusPin(ctx, alice.ID, sts[0].ID), "DeleteStatusPin")
		mustBeErrNotFound(t, s.DeleteStatusPin(ctx, alice.ID, sts[0].ID), "DeleteStatusPin twice")
		mustNot(t, s.PutStatusPin(ctx, newPin(alice, sts[3], 7), 3), "PutStatusPin after unpin")
		_, _, err = s.DeleteStatusByID(ctx, sts[2].ID)
		mustNot(t, err, "DeleteStatusByID")
		pins, err = s.ListStatusPins(ctx, alice.ID)
		mustNot(t, err, "ListStatusPins after delete")
		checkIDs(t, "ListStatusPins after delete", pinStatusIDs(pins), []int64{sts[3].ID, sts[1].ID})
	})

	t.Run("ConcurrentPinsKeepTheLimit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		const n, max = 12, 5
		var sts []*store.Status
		for i := range n {
			st := newStatus(alice, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
		}
		var wg sync.WaitGroup
		for i, st := range sts {
			wg.Go(func() {
				if err := s.PutStatusPin(ctx, newPin(alice, st, i), max); err != nil && !errors.Is(err, store.ErrLimit) {
					t.Errorf("PutStatusPin: %v", err)
				}
			})
		}
		wg.Wait()
		pins, err := s.ListStatusPins(ctx, alice.ID)
		mustNot(t, err, "ListStatusPins")
		if len(pins) != max {
			t.Errorf("%d pins after racing %d, want exactly %d", len(pins), n, max)
		}
	})
}
