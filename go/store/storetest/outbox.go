package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func exerciseOutbox(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("WrittenWithTheStatusAndLeased", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		now := testTime(0)
		a, b, c := newStatus(alice, 1), newStatus(alice, 2), newStatus(alice, 3)
		const traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: a, OutboxAt: now, OutboxTraceParent: traceParent}), "PutStatusWrite a")
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: b, OutboxAt: now.Add(time.Minute)}), "PutStatusWrite b")
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: c}), "PutStatusWrite c (no event)")
		if n, err := s.CountOutbox(ctx); err != nil || n != 2 {
			t.Fatalf("CountOutbox = %d, %v; want 2", n, err)
		}
		if id, err := s.OldestOutbox(ctx); err != nil || id != min(a.ID, b.ID) {
			t.Fatalf("OldestOutbox = %d, %v; want %d", id, err, min(a.ID, b.ID))
		}
		// The posting request's trace parent is kept with a's event; b has none.
		tps, err := s.GetOutboxTraceParents(ctx, []int64{a.ID, b.ID, c.ID})
		mustNot(t, err, "GetOutboxTraceParents")
		if len(tps) != 1 || tps[a.ID] != traceParent {
			t.Fatalf("GetOutboxTraceParents = %v, want only a's %s", tps, traceParent)
		}
		if tps, err := s.GetOutboxTraceParents(ctx, nil); err != nil || len(tps) != 0 {
			t.Fatalf("GetOutboxTraceParents(nil) = %v, %v", tps, err)
		}
		got, err := s.ClaimOutbox(ctx, now, time.Minute, 10)
		mustNot(t, err, "ClaimOutbox")
		if !slices.Equal(got, []int64{a.ID}) {
			t.Fatalf("claimed %v, want only a (%d): b is not available yet", got, a.ID)
		}
		// Leased: not claimed again before the lease runs out.
		got, err = s.ClaimOutbox(ctx, now.Add(30*time.Second), time.Minute, 10)
		mustNot(t, err, "ClaimOutbox during the lease")
		if len(got) != 0 {
			t.Fatalf("claimed %v during the lease", got)
		}
		// The deliverer died: both are claimable after a's lease.
		got, err = s.ClaimOutbox(ctx, now.Add(2*time.Minute), time.Minute, 10)
		mustNot(t, err, "ClaimOutbox after the lease")
		slices.Sort(got)
		want := []int64{a.ID, b.ID}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("claimed %v after the lease, want %v", got, want)
		}
		mustNot(t, s.DeleteOutbox(ctx, []int64{a.ID, nextID()}), "DeleteOutbox")
		if _, _, err := s.DeleteStatusByID(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CountOutbox(ctx); err != nil || n != 0 {
			t.Fatalf("CountOutbox = %d, %v after delivery and delete; want 0", n, err)
		}
		if id, err := s.OldestOutbox(ctx); err != nil || id != 0 {
			t.Fatalf("OldestOutbox = %d, %v on an empty outbox; want 0", id, err)
		}
		mustNot(t, s.DeleteOutbox(ctx, nil), "DeleteOutbox nothing")
	})
	t.Run("RolledBackWithTheStatus", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: st, OutboxAt: testTime(0)}), "PutStatusWrite")
		// The same ID again fails as a whole: no second event either.
		again := *st
		if err := s.PutStatusWrite(ctx, &store.StatusWrite{Status: &again, OutboxAt: testTime(0)}); err == nil {
			t.Fatal("a second status with the same ID was stored")
		}
		if n, err := s.CountOutbox(ctx); err != nil || n != 1 {
			t.Fatalf("CountOutbox = %d, %v; want 1", n, err)
		}
	})
	t.Run("ConcurrentClaimsAreDisjoint", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		now := testTime(0)
		const n = 40
		for i := range n {
			mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: newStatus(alice, i), OutboxAt: now}), "PutStatusWrite")
		}
		var (
			mu   sync.Mutex
			seen = map[int64]int{}
			wg   sync.WaitGroup
		)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ids, err := s.ClaimOutbox(ctx, now, time.Hour, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ids) == 0 {
						return
					}
					mu.Lock()
					for _, id := range ids {
						seen[id]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("claimed %d distinct events, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("event %d claimed %d times", id, c)
			}
		}
	})
}
