package storetest

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// statusOf returns an unsaved status of visibility vis by author, replying
// to parent when it is not nil.
func statusOf(author *store.Account, n int, vis store.Visibility, parent *store.Status) *store.Status {
	st := newStatus(author, n)
	st.Visibility = vis
	if parent != nil {
		st.InReplyToID, st.InReplyToAccountID = parent.ID, parent.AccountID
	}
	return st
}

// checkRepliesCount compares a status's stored replies_count.
func checkRepliesCount(t *testing.T, s store.Store, st *store.Status, want int64) {
	t.Helper()
	got, err := s.GetStatusByID(t.Context(), st.ID)
	mustNot(t, err, "GetStatusByID")
	if got.RepliesCount != want {
		t.Errorf("replies_count = %d, want %d", got.RepliesCount, want)
	}
}

// exerciseHiddenCounts checks that the public counts reveal nothing a
// reader may not see, as Mastodon counts: direct statuses are not in
// statuses_count or last_status_at, and only public and unlisted replies
// are in replies_count (and so in the trending-statuses engagement).
func exerciseHiddenCounts(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("StatusesCountSkipsDirect", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		public := statusOf(alice, 1, store.VisibilityPublic, nil)
		private := statusOf(alice, 2, store.VisibilityPrivate, nil)
		direct := statusOf(alice, 3, store.VisibilityDirect, nil) // the newest
		for _, st := range []*store.Status{public, private, direct} {
			mustNot(t, s.PutStatus(ctx, st), "PutStatus "+string(st.Visibility))
		}
		checkCounts(t, s, alice, 0, 0, 2)
		checkTimePtr(t, "LastStatusAt after a newer direct status", getAccount(t, s, alice.ID).LastStatusAt, &private.CreatedAt)

		// A direct status alone sets nothing.
		bob := putAccount(t, s, "bob")
		mustNot(t, s.PutStatus(ctx, statusOf(bob, 4, store.VisibilityDirect, nil)), "PutStatus bob direct")
		checkCounts(t, s, bob, 0, 0, 0)
		if got := getAccount(t, s, bob.ID).LastStatusAt; got != nil {
			t.Errorf("LastStatusAt after only a direct status = %v, want nil", got)
		}

		// Deleting takes off only what was counted.
		_, _, err := s.DeleteStatusByID(ctx, direct.ID)
		mustNot(t, err, "DeleteStatusByID direct")
		checkCounts(t, s, alice, 0, 0, 2)
		_, _, err = s.DeleteStatusByID(ctx, private.ID)
		mustNot(t, err, "DeleteStatusByID private")
		checkCounts(t, s, alice, 0, 0, 1)

		// Reblogs are counted; deleting the original takes its reblogs'
		// counts with them.
		rb := &store.Status{ID: nextID(), AccountID: bob.ID, ReblogOfID: public.ID,
			Visibility: store.VisibilityPublic, CreatedAt: testTime(5)}
		mustNot(t, s.PutStatus(ctx, rb), "PutStatus reblog")
		checkCounts(t, s, bob, 0, 0, 1)
		_, _, err = s.DeleteStatusByID(ctx, public.ID)
		mustNot(t, err, "DeleteStatusByID public")
		checkCounts(t, s, alice, 0, 0, 0)
		checkCounts(t, s, bob, 0, 0, 0)
	})

	t.Run("RepliesCountSkipsPrivateAndDirect", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		parent := statusOf(alice, 1, store.VisibilityPublic, nil)
		mustNot(t, s.PutStatus(ctx, parent), "PutStatus parent")
		replies := map[store.Visibility]*store.Status{}
		for i, vis := range []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted,
			store.VisibilityPrivate, store.VisibilityDirect} {
			replies[vis] = statusOf(bob, 2+i, vis, parent)
			mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: replies[vis]}), "PutStatusWrite reply "+string(vis))
		}
		checkRepliesCount(t, s, parent, 2)
		for _, vis := range []store.Visibility{store.VisibilityPrivate, store.VisibilityDirect} {
			_, _, err := s.DeleteStatusByID(ctx, replies[vis].ID)
			mustNot(t, err, "DeleteStatusByID reply "+string(vis))
		}
		checkRepliesCount(t, s, parent, 2)
		_, _, err := s.DeleteStatusByID(ctx, replies[store.VisibilityUnlisted].ID)
		mustNot(t, err, "DeleteStatusByID unlisted reply")
		checkRepliesCount(t, s, parent, 1)

		// Trends sum replies_count: a status whose only replies are
		// private or direct has no engagement to show.
		quiet := statusOf(alice, 10, store.VisibilityPublic, nil)
		mustNot(t, s.PutStatus(ctx, quiet), "PutStatus quiet")
		for i, vis := range []store.Visibility{store.VisibilityPrivate, store.VisibilityDirect} {
			mustNot(t, s.PutStatus(ctx, statusOf(bob, 11+i, vis, quiet)), "PutStatus hidden reply")
		}
		cands, err := s.ListStatusEngagement(ctx, testTime(0).Add(-time.Hour), testTime(100), 10)
		mustNot(t, err, "ListStatusEngagement")
		for _, c := range cands {
			if c.StatusID == quiet.ID {
				t.Errorf("a status with only private and direct replies trends with engagement %d", c.Engagement)
			}
			if c.StatusID == parent.ID && c.Engagement != 1 {
				t.Errorf("parent's engagement = %d, want 1 (its public reply)", c.Engagement)
			}
		}
	})
}
