package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// roomySchedule are caps no subtest reaches unless it means to.
var roomySchedule = store.ScheduledLimits{Total: 1000, Daily: 1000}

// newScheduled returns an unsaved scheduled status of a's, due at
// testTime(n) (created an hour before).
func newScheduled(a *store.Account, n int) *store.ScheduledStatus {
	return &store.ScheduledStatus{ID: nextID(), AccountID: a.ID, ScheduledAt: testTime(n),
		Params: fmt.Appendf(nil, `{"text":"scheduled %d ✓"}`, n), CreatedAt: testTime(n - 3600)}
}

// checkScheduled compares what a store returned with what was put: the
// stored columns, times in microseconds and UTC.
func checkScheduled(t *testing.T, got, put *store.ScheduledStatus) {
	t.Helper()
	checkTime(t, "scheduled_at", got.ScheduledAt, put.ScheduledAt)
	checkTime(t, "created_at", got.CreatedAt, put.CreatedAt)
	if got.ID != put.ID || got.AccountID != put.AccountID || string(got.Params) != string(put.Params) {
		t.Errorf("scheduled status = %+v, want %+v", got, put)
	}
}

func scheduledIDs(l []*store.ScheduledStatus) []int64 {
	out := make([]int64, len(l))
	for i, s := range l {
		out[i] = s.ID
	}
	return out
}

func exerciseScheduledStatuses(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("CreateListUpdateDelete", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		var mine []*store.ScheduledStatus
		for i := range 3 {
			sch := newScheduled(alice, 10*i)
			mustNot(t, s.PutScheduledStatus(ctx, sch, roomySchedule), "PutScheduledStatus")
			mine = append(mine, sch)
		}
		bobs := newScheduled(bob, 0)
		mustNot(t, s.PutScheduledStatus(ctx, bobs, roomySchedule), "PutScheduledStatus bob")
		mustBeErrNotFound(t, s.PutScheduledStatus(ctx, newScheduled(&store.Account{ID: nextID()}, 0), roomySchedule),
			"PutScheduledStatus of a missing account")
		mustBeErrConflict(t, s.PutScheduledStatus(ctx, mine[0], roomySchedule), "PutScheduledStatus of an existing ID")

		got, err := s.GetScheduledStatus(ctx, alice.ID, mine[1].ID)
		mustNot(t, err, "GetScheduledStatus")
		checkScheduled(t, got, mine[1])
		_, err = s.GetScheduledStatus(ctx, alice.ID, bobs.ID)
		mustBeErrNotFound(t, err, "GetScheduledStatus of someone else's")

		// Newest (highest ID) first, paged by ID, only the account's.
		page, err := s.ListScheduledStatuses(ctx, alice.ID, store.Page{Limit: 2})
		mustNot(t, err, "ListScheduledStatuses")
		if got, want := scheduledIDs(page), []int64{mine[2].ID, mine[1].ID}; !slices.Equal(got, want) {
			t.Errorf("first page = %v, want %v", got, want)
		}
		page, err = s.ListScheduledStatuses(ctx, alice.ID, store.Page{Limit: 2, MaxID: mine[1].ID})
		mustNot(t, err, "ListScheduledStatuses max_id")
		if got := scheduledIDs(page); !slices.Equal(got, []int64{mine[0].ID}) {
			t.Errorf("second page = %v, want [%d]", got, mine[0].ID)
		}
		page, err = s.ListScheduledStatuses(ctx, alice.ID, store.Page{Limit: 1, MinID: mine[0].ID})
		mustNot(t, err, "ListScheduledStatuses min_id")
		if got := scheduledIDs(page); !slices.Equal(got, []int64{mine[1].ID}) {
			t.Errorf("min_id page = %v, want [%d]", got, mine[1].ID)
		}
		if _, err := s.ListScheduledStatuses(ctx, alice.ID, store.Page{}); err == nil {
			t.Error("a page without a limit: no error")
		}

		// Reschedule moves it; someone else's or a missing one is not found.
		mustNot(t, s.RescheduleStatus(ctx, alice.ID, mine[0].ID, testTime(500), roomySchedule), "RescheduleStatus")
		got, err = s.GetScheduledStatus(ctx, alice.ID, mine[0].ID)
		mustNot(t, err, "GetScheduledStatus after reschedule")
		checkTime(t, "rescheduled at", got.ScheduledAt, testTime(500))
		mustBeErrNotFound(t, s.RescheduleStatus(ctx, alice.ID, bobs.ID, testTime(500), roomySchedule), "RescheduleStatus of bob's")
		mustBeErrNotFound(t, s.RescheduleStatus(ctx, alice.ID, nextID(), testTime(500), roomySchedule), "RescheduleStatus of a missing one")

		// Delete: once, only one's own.
		mustBeErrNotFound(t, s.DeleteScheduledStatus(ctx, alice.ID, bobs.ID), "DeleteScheduledStatus of bob's")
		mustNot(t, s.DeleteScheduledStatus(ctx, alice.ID, mine[1].ID), "DeleteScheduledStatus")
		mustBeErrNotFound(t, s.DeleteScheduledStatus(ctx, alice.ID, mine[1].ID), "DeleteScheduledStatus again")
		_, err = s.GetScheduledStatus(ctx, alice.ID, mine[1].ID)
		mustBeErrNotFound(t, err, "GetScheduledStatus after delete")
		if _, err := s.GetScheduledStatus(ctx, bob.ID, bobs.ID); err != nil {
			t.Errorf("bob's is gone too: %v", err)
		}
	})

	t.Run("Caps", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		small := store.ScheduledLimits{Total: 2, Daily: 1}
		day := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		first := &store.ScheduledStatus{ID: nextID(), AccountID: alice.ID, ScheduledAt: day.Add(time.Hour),
			Params: []byte(`{}`), CreatedAt: testTime(0)}
		mustNot(t, s.PutScheduledStatus(ctx, first, small), "first")
		sameDay := &store.ScheduledStatus{ID: nextID(), AccountID: alice.ID, ScheduledAt: day.Add(23 * time.Hour),
			Params: []byte(`{}`), CreatedAt: testTime(0)}
		if err := s.PutScheduledStatus(ctx, sameDay, small); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("a second on one UTC day: %v, want ErrLimit", err)
		}
		_, err := s.GetScheduledStatus(ctx, alice.ID, sameDay.ID)
		mustBeErrNotFound(t, err, "the refused one")
		next := &store.ScheduledStatus{ID: nextID(), AccountID: alice.ID, ScheduledAt: day.Add(24 * time.Hour),
			Params: []byte(`{}`), CreatedAt: testTime(0)}
		mustNot(t, s.PutScheduledStatus(ctx, next, small), "the next day")
		third := &store.ScheduledStatus{ID: nextID(), AccountID: alice.ID, ScheduledAt: day.Add(72 * time.Hour),
			Params: []byte(`{}`), CreatedAt: testTime(0)}
		if err := s.PutScheduledStatus(ctx, third, small); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("a third in total: %v, want ErrLimit", err)
		}
		if err := s.RescheduleStatus(ctx, alice.ID, next.ID, day.Add(2*time.Hour), small); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("rescheduling onto a full day: %v, want ErrLimit", err)
		}
		mustNot(t, s.RescheduleStatus(ctx, alice.ID, first.ID, day.Add(5*time.Hour), small), "within its own day")
	})

	t.Run("ClaimLeases", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		early, late, future := newScheduled(alice, 0), newScheduled(alice, 10), newScheduled(alice, 1000)
		for _, sch := range []*store.ScheduledStatus{future, late, early} {
			mustNot(t, s.PutScheduledStatus(ctx, sch, roomySchedule), "PutScheduledStatus")
		}
		now, lease := testTime(20), time.Minute
		got, err := s.ClaimDueScheduledStatuses(ctx, now, lease, 1)
		mustNot(t, err, "claim one")
		if len(got) != 1 {
			t.Fatalf("claimed %v, want the oldest due", scheduledIDs(got))
		}
		checkScheduled(t, got[0], early)
		got, err = s.ClaimDueScheduledStatuses(ctx, now, lease, 10)
		mustNot(t, err, "claim the rest")
		if ids := scheduledIDs(got); !slices.Equal(ids, []int64{late.ID}) {
			t.Fatalf("claimed %v, want only %d (the others leased or not due)", ids, late.ID)
		}
		if got, err = s.ClaimDueScheduledStatuses(ctx, now.Add(lease-time.Second), lease, 10); err != nil || len(got) != 0 {
			t.Fatalf("under live leases claimed %v, %v", scheduledIDs(got), err)
		}
		// A lease that ran out (its claimer died) is claimed again.
		got, err = s.ClaimDueScheduledStatuses(ctx, now.Add(lease), lease, 10)
		mustNot(t, err, "claim after the lease")
		if ids := scheduledIDs(got); !slices.Equal(ids, []int64{early.ID, late.ID}) {
			t.Fatalf("after the lease claimed %v, want %d, %d", ids, early.ID, late.ID)
		}
		// Rescheduling releases the claim.
		mustNot(t, s.RescheduleStatus(ctx, alice.ID, early.ID, testTime(30), roomySchedule), "RescheduleStatus")
		got, err = s.ClaimDueScheduledStatuses(ctx, testTime(31), lease, 10)
		mustNot(t, err, "claim the rescheduled one")
		if ids := scheduledIDs(got); !slices.Equal(ids, []int64{early.ID}) {
			t.Fatalf("claimed %v, want the rescheduled %d", ids, early.ID)
		}
	})

	t.Run("ConcurrentClaimsDisjoint", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		const n, claimers = 60, 6
		for i := range n {
			mustNot(t, s.PutScheduledStatus(ctx, newScheduled(alice, i), roomySchedule), "PutScheduledStatus")
		}
		var (
			mu      sync.Mutex
			claimed = map[int64]int{}
			wg      sync.WaitGroup
		)
		start := make(chan struct{})
		for range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					got, err := s.ClaimDueScheduledStatuses(ctx, testTime(n), time.Hour, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, sch := range got {
						claimed[sch.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(claimed) != n {
			t.Errorf("%d distinct statuses claimed, want %d", len(claimed), n)
		}
		for id, times := range claimed {
			if times != 1 {
				t.Errorf("status %d claimed %d times", id, times)
			}
		}
	})

	t.Run("MediaReservedUntilPublished", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		m1, m2, m3, bobs := newMedia(alice, 1), newMedia(alice, 2), newMedia(alice, 3), newMedia(bob, 4)
		for _, m := range []*store.MediaAttachment{m1, m2, m3, bobs} {
			mustNot(t, s.PutMediaAttachment(ctx, m, 10), "PutMediaAttachment")
		}
		sch := newScheduled(alice, 0)
		sch.MediaIDs = []int64{m2.ID, m1.ID}
		mustNot(t, s.PutScheduledStatus(ctx, sch, roomySchedule), "PutScheduledStatus with media")
		reserved := func(id, want int64) {
			t.Helper()
			m, err := s.GetMediaAttachmentByID(ctx, id)
			mustNot(t, err, "GetMediaAttachmentByID")
			if m.ScheduledStatusID != want {
				t.Errorf("media %d reserved by %d, want %d", id, m.ScheduledStatusID, want)
			}
		}
		reserved(m1.ID, sch.ID)
		reserved(m2.ID, sch.ID)
		reserved(m3.ID, 0)

		// No other status takes them; each refusal writes nothing.
		for name, ids := range map[string][]int64{"reserved": {m3.ID, m1.ID}, "someone else's": {bobs.ID}, "missing": {nextID()}} {
			other := newScheduled(alice, 1)
			other.MediaIDs = ids
			mustBeErrConflict(t, s.PutScheduledStatus(ctx, other, roomySchedule), "PutScheduledStatus with "+name+" media")
			_, err := s.GetScheduledStatus(ctx, alice.ID, other.ID)
			mustBeErrNotFound(t, err, "the refused scheduled status ("+name+")")
		}
		reserved(m3.ID, 0)
		post := newStatus(alice, 5)
		mustBeErrConflict(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: post, MediaIDs: []int64{m1.ID}}),
			"PutStatusWrite with reserved media")
		_, err := s.GetStatusByID(ctx, post.ID)
		mustBeErrNotFound(t, err, "the refused status")
		// The clean-up neither lists nor deletes them.
		old, err := s.ListUnattachedMedia(ctx, testTime(100), 10)
		mustNot(t, err, "ListUnattachedMedia")
		for _, m := range old {
			if m.ID == m1.ID || m.ID == m2.ID {
				t.Errorf("reserved media %d listed for the clean-up", m.ID)
			}
		}
		mustBeErrNotFound(t, s.DeleteMediaAttachmentByID(ctx, m1.ID), "DeleteMediaAttachmentByID of reserved media")

		// Publishing attaches them, in order, and ends the reservation.
		pub := newStatus(alice, 6)
		putStatusW(t, s, &store.StatusWrite{Status: pub, ScheduledID: sch.ID, MediaIDs: []int64{m2.ID, m1.ID}})
		byStatus, err := s.GetStatusMedia(ctx, []int64{pub.ID})
		mustNot(t, err, "GetStatusMedia")
		if got := byStatus[pub.ID]; len(got) != 2 || got[0].ID != m2.ID || got[1].ID != m1.ID || got[0].ScheduledStatusID != 0 {
			t.Errorf("published media = %+v", got)
		}
		_, err = s.GetScheduledStatus(ctx, alice.ID, sch.ID)
		mustBeErrNotFound(t, err, "the published scheduled status")

		// Deleting a scheduled status frees its media.
		cancelled := newScheduled(alice, 7)
		cancelled.MediaIDs = []int64{m3.ID}
		mustNot(t, s.PutScheduledStatus(ctx, cancelled, roomySchedule), "PutScheduledStatus")
		reserved(m3.ID, cancelled.ID)
		mustNot(t, s.DeleteScheduledStatus(ctx, alice.ID, cancelled.ID), "DeleteScheduledStatus")
		reserved(m3.ID, 0)
		putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 8), MediaIDs: []int64{m3.ID}})
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		key := texts[1].s + texts[6].s // four-byte runes and SQL metacharacters
		first := newScheduled(alice, 0)
		first.IdempotencyKey, first.IdempotencySince = key, first.CreatedAt.Add(-time.Hour)
		mustNot(t, s.PutScheduledStatus(ctx, first, roomySchedule), "PutScheduledStatus with a key")
		got, err := s.GetScheduledStatusByIdempotencyKey(ctx, alice.ID, key, first.CreatedAt.Add(-time.Minute))
		mustNot(t, err, "GetScheduledStatusByIdempotencyKey")
		checkScheduled(t, got, first)
		_, err = s.GetScheduledStatusByIdempotencyKey(ctx, bob.ID, key, first.CreatedAt.Add(-time.Minute))
		mustBeErrNotFound(t, err, "the key of another account")
		_, err = s.GetScheduledStatusByIdempotencyKey(ctx, alice.ID, key, first.CreatedAt.Add(time.Second))
		mustBeErrNotFound(t, err, "a key older than the window")
		// Bob's own use of the same key is his.
		bobs := newScheduled(bob, 0)
		bobs.IdempotencyKey, bobs.IdempotencySince = key, bobs.CreatedAt.Add(-time.Hour)
		mustNot(t, s.PutScheduledStatus(ctx, bobs, roomySchedule), "bob's key")

		// While live, the key cannot be used again; nothing is written.
		again := newScheduled(alice, 1)
		again.IdempotencyKey, again.IdempotencySince = key, first.CreatedAt.Add(-time.Hour)
		mustBeErrConflict(t, s.PutScheduledStatus(ctx, again, roomySchedule), "PutScheduledStatus with a live key")
		_, err = s.GetScheduledStatus(ctx, alice.ID, again.ID)
		mustBeErrNotFound(t, err, "the refused one")
		// Once dead, it moves to the new row.
		again.IdempotencySince = first.CreatedAt.Add(time.Second)
		mustNot(t, s.PutScheduledStatus(ctx, again, roomySchedule), "PutScheduledStatus with a dead key")
		got, err = s.GetScheduledStatusByIdempotencyKey(ctx, alice.ID, key, first.CreatedAt.Add(-time.Hour))
		mustNot(t, err, "GetScheduledStatusByIdempotencyKey after reuse")
		if got.ID != again.ID {
			t.Errorf("the key names %d, want the new %d", got.ID, again.ID)
		}
		// Many rows without a key.
		for i := range 3 {
			mustNot(t, s.PutScheduledStatus(ctx, newScheduled(alice, 10+i), roomySchedule), "PutScheduledStatus without a key")
		}
	})
}
