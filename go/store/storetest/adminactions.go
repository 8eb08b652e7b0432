package storetest

import (
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseAdminActions(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("LogAndPages", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		var put []*store.AdminAction
		for i, a := range []store.AdminAction{
			{Action: store.AdminDeleteStatus, TargetAccountID: nextID(), TargetStatusID: nextID(), Reason: "spam ✓"},
			{Action: store.AdminResolveReport, TargetAccountID: nextID(), ReportID: nextID()},
			{Action: store.AdminDeleteStatus, TargetStatusID: nextID(), Reason: ""},
			{Action: store.AdminReloadPlugin, Actor: "ops ✓", TargetName: "wordfilter", AnnouncementID: 0},
		} {
			a.ID, a.CreatedAt = nextID(), testTime(i)
			mustNot(t, s.PutAdminAction(ctx, &a), "PutAdminAction")
			put = append(put, &a)
		}
		got, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		if len(got) != 4 {
			t.Fatalf("%d entries, want 4", len(got))
		}
		for i, g := range got {
			want := *put[len(put)-1-i] // newest first
			checkTime(t, "created_at", g.CreatedAt, want.CreatedAt)
			want.CreatedAt = g.CreatedAt
			if *g != want {
				t.Errorf("entry %d = %+v, want %+v", i, *g, want)
			}
		}
		older, err := s.ListAdminActions(ctx, store.Page{Limit: 10, MaxID: put[2].ID})
		mustNot(t, err, "ListAdminActions max_id")
		if len(older) != 2 || older[0].ID != put[1].ID {
			t.Errorf("below the newest: %d entries, first %d; want 2, %d", len(older), older[0].ID, put[1].ID)
		}
		mustBeErrConflict(t, s.PutAdminAction(ctx, put[0]), "PutAdminAction with a used ID")
	})
}
