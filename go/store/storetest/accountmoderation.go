package storetest

import (
	"testing"

	"github.com/starling-social/starling/go/store"
)

func audit(action string, n int) *store.AdminAction {
	return &store.AdminAction{ID: nextID(), CreatedAt: testTime(n), Actor: "mod ✓", Action: action, Reason: "why " + action}
}

func ptr(b bool) *bool { return &b }

func exerciseAccountModeration(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("SuspendSilenceWithAudit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		spam, alice := putAccount(t, s, "spam"), putAccount(t, s, "alice")

		got, err := s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: ptr(true), Audit: audit(store.AdminSuspendAccount, 10)})
		mustNot(t, err, "ModerateAccount suspend")
		checkTimePtr(t, "SuspendedAt", got.SuspendedAt, new(testTime(10)))
		if got.SilencedAt != nil {
			t.Errorf("suspend silenced too: %v", got.SilencedAt)
		}
		// Suspending again keeps the first time; silencing adds its own.
		got, err = s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: ptr(true), Silence: ptr(true),
			Audit: audit(store.AdminSilenceAccount, 20)})
		mustNot(t, err, "ModerateAccount again")
		checkTimePtr(t, "SuspendedAt again", got.SuspendedAt, new(testTime(10)))
		checkTimePtr(t, "SilencedAt", got.SilencedAt, new(testTime(20)))
		reread := getAccount(t, s, spam.ID)
		checkTimePtr(t, "SuspendedAt read", reread.SuspendedAt, new(testTime(10)))
		checkTimePtr(t, "SilencedAt read", reread.SilencedAt, new(testTime(20)))
		if a := getAccount(t, s, alice.ID); a.SuspendedAt != nil || a.SilencedAt != nil {
			t.Errorf("another account changed: %+v", a)
		}

		// Every account read path carries the state: the token join too.
		tok := &store.Token{ID: nextID(), AppID: putApp(t, s, "moderation-app").ID, AccountID: spam.ID, Hash: tokenHash("spam"), Scopes: "read", CreatedAt: testTime(1)}
		mustNot(t, s.PutToken(ctx, tok), "PutToken")
		_, acct, err := s.GetUserTokenByHash(ctx, tok.Hash)
		mustNot(t, err, "GetUserTokenByHash")
		if acct.SuspendedAt == nil || acct.SilencedAt == nil {
			t.Errorf("token's account lacks its moderation: %+v", acct)
		}

		got, err = s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: ptr(false), Audit: audit(store.AdminUnsuspendAccount, 30)})
		mustNot(t, err, "ModerateAccount unsuspend")
		if got.SuspendedAt != nil || got.SilencedAt == nil {
			t.Errorf("after unsuspend: suspended %v silenced %v, want nil and set", got.SuspendedAt, got.SilencedAt)
		}
		got, err = s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Audit: audit(store.AdminWarnAccount, 40)})
		mustNot(t, err, "ModerateAccount none")
		if got.SilencedAt == nil {
			t.Error("type none changed the account")
		}

		_, err = s.ModerateAccount(ctx, nextID(), store.AccountModeration{Suspend: ptr(true), Audit: audit(store.AdminSuspendAccount, 50)})
		mustBeErrNotFound(t, err, "ModerateAccount of a missing account")

		log, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		wantActions := []string{store.AdminWarnAccount, store.AdminUnsuspendAccount, store.AdminSilenceAccount, store.AdminSuspendAccount}
		if len(log) != len(wantActions) {
			t.Fatalf("audit log has %d entries, want %d (none for the missing account): %+v", len(log), len(wantActions), log)
		}
		for i, e := range log {
			if e.Action != wantActions[i] || e.TargetAccountID != spam.ID || e.Actor != "mod ✓" || e.Reason != "why "+e.Action {
				t.Errorf("entry %d = %+v, want %s on %d by mod ✓", i, e, wantActions[i], spam.ID)
			}
		}
	})
	t.Run("ActionOnReportIsAtomic", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, spam := putAccount(t, s, "alice"), putAccount(t, s, "spam")
		r := &store.Report{ID: nextID(), AccountID: alice.ID, TargetAccountID: spam.ID, Category: store.ReportSpam, CreatedAt: testTime(1)}
		mustNot(t, s.PutReport(ctx, r), "PutReport")

		// A missing report undoes the whole action: no suspension, no entry.
		a := audit(store.AdminSuspendAccount, 10)
		a.ReportID = nextID()
		_, err := s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: ptr(true), Audit: a})
		mustBeErrNotFound(t, err, "ModerateAccount with a missing report")
		if got := getAccount(t, s, spam.ID); got.SuspendedAt != nil {
			t.Errorf("suspension kept although the action failed: %v", got.SuspendedAt)
		}
		if log, _ := s.ListAdminActions(ctx, store.Page{Limit: 10}); len(log) != 0 {
			t.Errorf("failed action logged: %+v", log)
		}

		a = audit(store.AdminSuspendAccount, 20)
		a.ReportID = r.ID
		_, err = s.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: ptr(true), Audit: a})
		mustNot(t, err, "ModerateAccount with the report")
		rr, err := s.GetReportByID(ctx, r.ID)
		mustNot(t, err, "GetReportByID")
		checkTimePtr(t, "report ActionTakenAt", rr.ActionTakenAt, new(testTime(20)))
		log, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		if len(log) != 1 || log[0].ReportID != r.ID || log[0].TargetAccountID != spam.ID {
			t.Errorf("audit log = %+v, want one entry naming report %d and account %d", log, r.ID, spam.ID)
		}
	})
	t.Run("DeleteStatusAudited", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		bob := putAccount(t, s, "bob")
		st := newStatus(bob, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		gone, _, err := s.DeleteStatusAudited(ctx, st.ID, audit(store.AdminDeleteStatus, 5))
		mustNot(t, err, "DeleteStatusAudited")
		if gone.ID != st.ID {
			t.Errorf("deleted %d, want %d", gone.ID, st.ID)
		}
		_, err = s.GetStatusByID(ctx, st.ID)
		mustBeErrNotFound(t, err, "GetStatusByID after DeleteStatusAudited")
		_, _, err = s.DeleteStatusAudited(ctx, st.ID, audit(store.AdminDeleteStatus, 6))
		mustBeErrNotFound(t, err, "DeleteStatusAudited twice")
		log, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		if len(log) != 1 || log[0].TargetStatusID != st.ID || log[0].TargetAccountID != bob.ID {
			t.Errorf("audit log = %+v, want one entry for status %d by %d", log, st.ID, bob.ID)
		}
	})
	t.Run("AnnouncementsAudited", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a := &store.Announcement{ID: nextID(), Text: "maintenance", Content: "<p>maintenance</p>", PublishedAt: testTime(1), UpdatedAt: testTime(1)}
		mustNot(t, s.PutAnnouncement(ctx, a, audit(store.AdminPublishAnnouncement, 1)), "PutAnnouncement")
		mustNot(t, s.DeleteAnnouncement(ctx, a.ID, audit(store.AdminWithdrawAnnouncement, 2)), "DeleteAnnouncement")
		mustBeErrNotFound(t, s.DeleteAnnouncement(ctx, a.ID, audit(store.AdminWithdrawAnnouncement, 3)), "DeleteAnnouncement twice")
		// A failed publish (the ID is taken) leaves no entry either.
		b := &store.Announcement{ID: nextID(), Text: "b", Content: "<p>b</p>", PublishedAt: testTime(1), UpdatedAt: testTime(1)}
		mustNot(t, s.PutAnnouncement(ctx, b, nil), "PutAnnouncement unaudited")
		mustBeErrConflict(t, s.PutAnnouncement(ctx, b, audit(store.AdminPublishAnnouncement, 4)), "PutAnnouncement with a used ID")
		log, err := s.ListAdminActions(ctx, store.Page{Limit: 10})
		mustNot(t, err, "ListAdminActions")
		if len(log) != 2 || log[0].Action != store.AdminWithdrawAnnouncement || log[1].Action != store.AdminPublishAnnouncement ||
			log[0].AnnouncementID != a.ID || log[1].AnnouncementID != a.ID {
			t.Errorf("audit log = %+v, want a publish and a withdrawal of %d", log, a.ID)
		}
	})
	t.Run("ViewerRelationsCarryModeration", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		viewer, sus, sil, both := putAccount(t, s, "viewer"), putAccount(t, s, "sus"), putAccount(t, s, "sil"), putAccount(t, s, "both")
		mustNot(t, s.PutFollow(ctx, newFollow(viewer, sil)), "PutFollow")
		moderate(t, s, sus, ptr(true), nil)
		moderate(t, s, sil, nil, ptr(true))
		moderate(t, s, both, ptr(true), ptr(true))
		for _, id := range []int64{0, viewer.ID} {
			r, err := s.GetViewerRelations(ctx, id, testTime(0))
			mustNot(t, err, "GetViewerRelations")
			checkIDs(t, "Suspended", r.Suspended, sortedIDs(sus, both))
			checkIDs(t, "Silenced", r.Silenced, sortedIDs(sil, both))
			if id == 0 && len(r.Following) != 0 {
				t.Errorf("anonymous viewer follows %v", r.Following)
			}
			if id != 0 {
				checkIDs(t, "Following", r.Following, accountIDs(sil))
			}
		}
	})
	t.Run("ListAdminAccounts", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, alan, sus, sil := putAccount(t, s, "alice"), putAccount(t, s, "alan"), putAccount(t, s, "sus_1"), putAccount(t, s, "sil%")
		moderate(t, s, sus, ptr(true), nil)
		moderate(t, s, sil, nil, ptr(true))
		for _, c := range []struct {
			name string
			q    store.AdminAccountQuery
			want []*store.Account
		}{
			{"all", store.AdminAccountQuery{}, []*store.Account{sil, sus, alan, alice}},
			{"suspended", store.AdminAccountQuery{Suspended: true}, []*store.Account{sus}},
			{"silenced", store.AdminAccountQuery{Silenced: true}, []*store.Account{sil}},
			{"active", store.AdminAccountQuery{Active: true}, []*store.Account{sil, alan, alice}},
			{"username prefix", store.AdminAccountQuery{Username: "AL"}, []*store.Account{alan, alice}},
			{"wildcards literal", store.AdminAccountQuery{Username: "sil%"}, []*store.Account{sil}},
			{"underscore literal", store.AdminAccountQuery{Username: "sus_"}, []*store.Account{sus}},
			{"display name", store.AdminAccountQuery{DisplayName: "display ali"}, []*store.Account{alice}},
			{"both conditions", store.AdminAccountQuery{Active: true, Username: "sus"}, nil},
			{"page", store.AdminAccountQuery{Page: store.Page{MaxID: sus.ID, Limit: 1}}, []*store.Account{alan}},
			{"min_id", store.AdminAccountQuery{Page: store.Page{MinID: alice.ID, Limit: 2}}, []*store.Account{sus, alan}},
		} {
			if c.q.Page.Limit == 0 {
				c.q.Page.Limit = 10
			}
			got, err := s.ListAdminAccounts(ctx, c.q)
			mustNot(t, err, "ListAdminAccounts "+c.name)
			checkIDs(t, c.name, edgeIDs(got, func(a *store.Account) int64 { return a.ID }), accountIDs(c.want...))
		}
	})
	t.Run("ReadsLeaveModeratedOut", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		ok, sus, sil := putAccount(t, s, "okay"), putAccount(t, s, "suspect"), putAccount(t, s, "silent")
		var sts []*store.Status
		for i, a := range []*store.Account{ok, sus, sil} {
			st := newStatus(a, i+1)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
		}
		moderate(t, s, sus, ptr(true), nil)
		moderate(t, s, sil, nil, ptr(true))

		pub, err := s.ListPublicStatuses(ctx, store.PublicQuery{Page: store.Page{Limit: 10}})
		mustNot(t, err, "ListPublicStatuses")
		checkIDs(t, "public timeline", statusIDs(pub), []int64{sts[0].ID})
		home, err := s.ListStatuses(ctx, store.StatusQuery{AccountIDs: accountIDs(ok, sus, sil),
			Visibilities: allVisibilities, Page: store.Page{Limit: 10}})
		mustNot(t, err, "ListStatuses")
		checkIDs(t, "home candidates", statusIDs(home), []int64{sts[2].ID, sts[0].ID})
		checkListStatusIDs(t, s, store.StatusQuery{AccountIDs: accountIDs(ok, sus, sil),
			Visibilities: allVisibilities, Page: store.Page{Limit: 10}}, []int64{sts[2].ID, sts[0].ID})

		found, err := s.SearchAccounts(ctx, store.AccountSearch{Query: "s", Limit: 10})
		mustNot(t, err, "SearchAccounts")
		checkIDs(t, "account search", edgeIDs(found, func(a *store.Account) int64 { return a.ID }), accountIDs(sil))
		dir, err := s.ListDirectory(ctx, store.DirectoryQuery{New: true, Limit: 10})
		mustNot(t, err, "ListDirectory")
		checkIDs(t, "directory", edgeIDs(dir, func(a *store.Account) int64 { return a.ID }), accountIDs(ok))
		most, err := s.ListMostFollowed(ctx, nil, 10)
		mustNot(t, err, "ListMostFollowed")
		checkIDs(t, "most followed", edgeIDs(most, func(c store.AccountCount) int64 { return c.AccountID }), accountIDs(ok))

		// Their hashtags do not trend either.
		tagged := func(a *store.Account, n int) {
			st := newStatus(a, n)
			putStatusW(t, s, &store.StatusWrite{Status: st, Tags: []string{"spamtag"}})
		}
		tagged(ok, 4)
		tagged(sus, 5)
		tagged(sil, 6)
		uses, err := s.ListTagUses(ctx, testTime(0), testTime(100), 10)
		mustNot(t, err, "ListTagUses")
		checkIDs(t, "tag uses' authors", edgeIDs(uses, func(u store.TagUse) int64 { return u.AccountID }), accountIDs(ok))

		// Lifting both brings everything back.
		moderate(t, s, sus, ptr(false), nil)
		moderate(t, s, sil, nil, ptr(false))
		pub, err = s.ListPublicStatuses(ctx, store.PublicQuery{Page: store.Page{Limit: 10}})
		mustNot(t, err, "ListPublicStatuses after lifting")
		checkIDs(t, "public timeline after lifting", statusIDs(pub)[3:], []int64{sts[2].ID, sts[1].ID, sts[0].ID})
	})
}

// moderate sets or clears a's suspension and silence, on record.
func moderate(t *testing.T, s store.Store, a *store.Account, suspend, silence *bool) {
	t.Helper()
	_, err := s.ModerateAccount(t.Context(), a.ID, store.AccountModeration{Suspend: suspend, Silence: silence,
		Audit: audit(store.AdminSuspendAccount, 1)})
	mustNot(t, err, "ModerateAccount "+a.Username)
}
