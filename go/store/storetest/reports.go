package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func exerciseReports(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTripListCount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, mod := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "mod")
		acted := testTime(9)
		first := &store.Report{ID: nextID(), AccountID: alice.ID, TargetAccountID: bob.ID,
			StatusIDs: []int64{3, 5}, Category: store.ReportViolation, Comment: "rude, ünïcode", RuleIDs: []int64{1, 2},
			CreatedAt: testTime(1), ActionTakenAt: &acted, ActionTakenBy: mod.ID}
		mustNot(t, s.PutReport(ctx, first), "PutReport")
		second := &store.Report{ID: nextID(), AccountID: alice.ID, TargetAccountID: bob.ID, Category: store.ReportSpam,
			CreatedAt: testTime(3600)}
		mustNot(t, s.PutReport(ctx, second), "PutReport without lists")
		third := &store.Report{ID: nextID(), AccountID: bob.ID, TargetAccountID: alice.ID, Category: store.ReportOther,
			CreatedAt: testTime(7200)}
		mustNot(t, s.PutReport(ctx, third), "PutReport bob")

		got, err := s.GetReportByID(ctx, first.ID)
		mustNot(t, err, "GetReportByID")
		checkReport(t, got, first)
		got, err = s.GetReportByID(ctx, second.ID)
		mustNot(t, err, "GetReportByID second")
		if len(got.StatusIDs) != 0 || len(got.RuleIDs) != 0 || got.ActionTakenAt != nil || got.ActionTakenBy != 0 {
			t.Errorf("report without lists or action = %+v", got)
		}
		_, err = s.GetReportByID(ctx, nextID())
		mustBeErrNotFound(t, err, "GetReportByID of a missing report")

		all, err := s.ListReports(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListReports")
		checkIDs(t, "reports", edgeIDs(all, func(r *store.Report) int64 { return r.ID }), []int64{third.ID, second.ID, first.ID})
		page, err := s.ListReports(ctx, store.Page{Limit: 1, MaxID: third.ID})
		mustNot(t, err, "ListReports page")
		checkIDs(t, "reports below the newest", edgeIDs(page, func(r *store.Report) int64 { return r.ID }), []int64{second.ID})

		n, err := s.CountReportsSince(ctx, alice.ID, testTime(2))
		mustNot(t, err, "CountReportsSince")
		if n != 1 {
			t.Errorf("alice's reports since testTime(2) = %d, want 1", n)
		}
		n, err = s.CountReportsSince(ctx, alice.ID, testTime(1).Add(-time.Second))
		mustNot(t, err, "CountReportsSince all")
		if n != 2 {
			t.Errorf("alice's reports = %d, want 2", n)
		}
		mustBeErrNotFound(t, s.PutReport(ctx, &store.Report{ID: nextID(), AccountID: alice.ID, TargetAccountID: nextID(),
			Category: store.ReportOther, CreatedAt: testTime(1)}), "PutReport on a missing target")
	})
	t.Run("Resolve", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		r := &store.Report{ID: nextID(), AccountID: alice.ID, TargetAccountID: bob.ID, Category: store.ReportSpam,
			CreatedAt: testTime(1)}
		mustNot(t, s.PutReport(ctx, r), "PutReport")
		got, err := s.ResolveReport(ctx, r.ID, &store.AdminAction{ID: nextID(), CreatedAt: testTime(60),
			Actor: "mod", Action: store.AdminResolveReport})
		mustNot(t, err, "ResolveReport")
		if got.ActionTakenAt == nil || !got.ActionTakenAt.Equal(stored(testTime(60))) || got.ActionTakenBy != 0 {
			t.Fatalf("resolved report: action_taken_at %v by %d, want %v by nobody", got.ActionTakenAt, got.ActionTakenBy, testTime(60))
		}
		again, err := s.ResolveReport(ctx, r.ID, &store.AdminAction{ID: nextID(), CreatedAt: testTime(120),
			Action: store.AdminResolveReport})
		mustNot(t, err, "ResolveReport again")
		if again.ActionTakenAt == nil || !again.ActionTakenAt.Equal(stored(testTime(60))) {
			t.Errorf("a second resolve moved action_taken_at to %v, want the first, %v", again.ActionTakenAt, testTime(60))
		}
		_, err = s.ResolveReport(ctx, nextID(), &store.AdminAction{ID: nextID(), CreatedAt: testTime(60),
			Action: store.AdminResolveReport})
		mustBeErrNotFound(t, err, "ResolveReport of a missing report")
		// Each resolve is on record, with the report's target, written
		// with it; the missing report's is not.
		log, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		if len(log) != 2 || log[1].Actor != "mod" || log[1].ReportID != r.ID || log[1].TargetAccountID != bob.ID ||
			log[0].ReportID != r.ID {
			t.Errorf("audit log after two resolves and a miss = %+v, want two entries for report %d on %d", log, r.ID, bob.ID)
		}
	})
}

func checkReport(t *testing.T, got, want *store.Report) {
	t.Helper()
	checkTime(t, "Report.CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTimePtr(t, "Report.ActionTakenAt", got.ActionTakenAt, want.ActionTakenAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.ActionTakenAt, w.ActionTakenAt = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("report:\n got %+v\nwant %+v", g, w)
	}
}
