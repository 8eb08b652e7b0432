package storetest

import (
	"reflect"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseModeration(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("FlagsWithTheStatus", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var flagIDs []int64
		var sts []*store.Status
		for i := range 3 {
			st := newStatus(alice, i)
			w := &store.StatusWrite{Status: st}
			if i != 1 { // the middle one is not flagged
				f1 := store.StatusFlag{ID: nextID(), Plugin: "spamguard", PluginVersion: "1.0.0", Reason: "too many links"}
				w.Flags = []store.StatusFlag{f1}
				flagIDs = append(flagIDs, f1.ID)
				if i == 2 {
					f2 := store.StatusFlag{ID: nextID(), Plugin: "wordfilter", PluginVersion: "1.1.0", Reason: "listed word"}
					w.Flags = append(w.Flags, f2)
					flagIDs = append(flagIDs, f2.ID)
				}
			}
			mustNot(t, s.PutStatusWrite(ctx, w), "PutStatusWrite")
			sts = append(sts, st)
		}
		got, err := s.GetFlaggedStatuses(ctx, store.Page{Limit: 10})
		mustNot(t, err, "GetFlaggedStatuses")
		if len(got) != 3 {
			t.Fatalf("got %d flags, want 3: %+v", len(got), got)
		}
		// Newest first; every field round-trips.
		want := &store.FlaggedStatus{ID: flagIDs[2], StatusID: sts[2].ID, AccountID: alice.ID, Plugin: "wordfilter",
			PluginVersion: "1.1.0", Reason: "listed word", CreatedAt: stored(sts[2].CreatedAt)}
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("newest flag = %+v, want %+v", got[0], want)
		}
		if got[2].StatusID != sts[0].ID {
			t.Errorf("oldest flag is on %d, want %d", got[2].StatusID, sts[0].ID)
		}
		page, err := s.GetFlaggedStatuses(ctx, store.Page{MaxID: got[0].ID, Limit: 1})
		mustNot(t, err, "GetFlaggedStatuses page")
		if len(page) != 1 || page[0].ID != got[1].ID {
			t.Errorf("second page = %+v, want %d", page, got[1].ID)
		}
		// A flag goes with its status.
		if _, _, err := s.DeleteStatusByID(ctx, sts[2].ID); err != nil {
			t.Fatal(err)
		}
		got, err = s.GetFlaggedStatuses(ctx, store.Page{Limit: 10})
		mustNot(t, err, "GetFlaggedStatuses after delete")
		if len(got) != 1 || got[0].StatusID != sts[0].ID {
			t.Errorf("after deleting the flagged status: %+v", got)
		}
	})
	t.Run("FailedWriteKeepsNoFlag", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		// The same ID again: the write fails and its flag must not remain.
		dup := *st
		err := s.PutStatusWrite(ctx, &store.StatusWrite{Status: &dup, Flags: []store.StatusFlag{{ID: nextID(), Plugin: "p", PluginVersion: "1", Reason: "r"}}})
		mustBeErrConflict(t, err, "PutStatusWrite duplicate")
		got, err := s.GetFlaggedStatuses(ctx, store.Page{Limit: 10})
		mustNot(t, err, "GetFlaggedStatuses")
		if len(got) != 0 {
			t.Errorf("flag of a failed write stored: %+v", got)
		}
	})
	t.Run("PolicyDecisions", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		var ids []int64
		for i := range 3 {
			d := &store.PolicyDecision{ID: nextID(), CreatedAt: testTime(i), Plugin: "wordfilter", PluginVersion: "1.1.0",
				Hook: "check_status", Verdict: "reject", Reason: "blocked word, ünïcode", AccountID: int64(i + 1)}
			mustNot(t, s.PutPolicyDecision(ctx, d), "PutPolicyDecision")
			ids = append(ids, d.ID)
		}
		got, err := s.GetPolicyDecisions(ctx, store.Page{Limit: 2})
		mustNot(t, err, "GetPolicyDecisions")
		if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[1] {
			t.Fatalf("got %+v, want the newest two", got)
		}
		want := &store.PolicyDecision{ID: ids[2], CreatedAt: stored(testTime(2)), Plugin: "wordfilter", PluginVersion: "1.1.0",
			Hook: "check_status", Verdict: "reject", Reason: "blocked word, ünïcode", AccountID: 3}
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("round trip: %+v, want %+v", got[0], want)
		}
		got, err = s.GetPolicyDecisions(ctx, store.Page{MinID: ids[0], Limit: 10})
		mustNot(t, err, "GetPolicyDecisions min_id")
		if len(got) != 2 || got[0].ID != ids[2] {
			t.Errorf("min_id page: %+v", got)
		}
	})
}
