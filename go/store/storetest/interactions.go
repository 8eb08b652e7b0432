package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// putStatusW stores a status with its write extras.
func putStatusW(t *testing.T, s store.Store, w *store.StatusWrite) *store.Status {
	t.Helper()
	mustNot(t, s.PutStatusWrite(t.Context(), w), "PutStatusWrite")
	return w.Status
}

// reblogOf returns an unsaved reblog of orig by a.
func reblogOf(a *store.Account, orig *store.Status, n int) *store.Status {
	return &store.Status{ID: nextID(), AccountID: a.ID, ReblogOfID: orig.ID,
		Visibility: store.VisibilityPublic, CreatedAt: testTime(n)}
}

// checkStatusCounts reloads a status and compares its counts.
func checkStatusCounts(t *testing.T, s store.Store, id int64, replies, reblogs, favourites int64) {
	t.Helper()
	got, err := s.GetStatusByID(t.Context(), id)
	mustNot(t, err, "GetStatusByID for counts")
	if got.RepliesCount != replies || got.ReblogsCount != reblogs || got.FavouritesCount != favourites {
		t.Errorf("status %d counts (replies, reblogs, favourites) = (%d, %d, %d), want (%d, %d, %d)",
			id, got.RepliesCount, got.ReblogsCount, got.FavouritesCount, replies, reblogs, favourites)
	}
}

func newNotification(to, from *store.Account, typ store.NotificationType, statusID int64) *store.Notification {
	return &store.Notification{ID: nextID(), AccountID: to.ID, FromAccountID: from.ID, Type: typ,
		StatusID: statusID, CreatedAt: testTime(0)}
}

func notificationIDs(ns []*store.Notification) []int64 {
	out := []int64{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

var everything = store.Page{Limit: 1000}

func exerciseInteractions(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("StatusWriteIsOneUnit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		st := newStatus(alice, 1)
		mention := newNotification(bob, alice, store.NotificationMention, st.ID)
		putStatusW(t, s, &store.StatusWrite{
			Status: st, Mentions: []int64{bob.ID, carol.ID}, Tags: []string{"go", "sql"},
			Notifications: []*store.Notification{mention},
		})
		ms, err := s.GetStatusMentions(ctx, []int64{st.ID, nextID()})
		mustNot(t, err, "GetStatusMentions")
		want := []int64{bob.ID, carol.ID}
		slices.Sort(want)
		if !slices.Equal(ms[st.ID], want) || len(ms) != 1 {
			t.Errorf("mentions = %v, want {%d: %v}", ms, st.ID, want)
		}
		tags, err := s.GetStatusTags(ctx, []int64{st.ID})
		mustNot(t, err, "GetStatusTags")
		if !slices.Equal(tags[st.ID], []string{"go", "sql"}) {
			t.Errorf("tags = %v, want [go sql]", tags[st.ID])
		}
		got, err := s.GetNotificationByID(ctx, mention.ID)
		mustNot(t, err, "GetNotificationByID")
		checkTime(t, "Notification.CreatedAt", got.CreatedAt, mention.CreatedAt)
		got.CreatedAt = mention.CreatedAt
		if *got != *mention {
			t.Errorf("notification = %+v, want %+v", got, mention)
		}

		// A write that fails part way (a notification for a missing
		// account) leaves nothing behind: no status, no count, no mention.
		bad := newStatus(alice, 2)
		err = s.PutStatusWrite(ctx, &store.StatusWrite{
			Status: bad, Mentions: []int64{bob.ID}, Tags: []string{"lost"},
			Notifications: []*store.Notification{newNotification(newAccount("ghost"), alice, store.NotificationMention, bad.ID)},
		})
		if err == nil {
			t.Fatal("PutStatusWrite with a notification for a missing account succeeded")
		}
		_, err = s.GetStatusByID(ctx, bad.ID)
		mustBeErrNotFound(t, err, "GetStatusByID of the failed write")
		ms, err = s.GetStatusMentions(ctx, []int64{bad.ID})
		mustNot(t, err, "GetStatusMentions")
		if len(ms) != 0 {
			t.Errorf("mentions of the failed write = %v, want none", ms)
		}
		checkCounts(t, s, alice, 0, 0, 1)
	})

	t.Run("RepliesAndReblogsCount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		orig := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, orig), "PutStatus")
		reply := newStatus(bob, 2)
		reply.InReplyToID, reply.InReplyToAccountID = orig.ID, alice.ID
		mustNot(t, s.PutStatus(ctx, reply), "PutStatus reply")
		rb := reblogOf(bob, orig, 3)
		putStatusW(t, s, &store.StatusWrite{Status: rb,
			Notifications: []*store.Notification{newNotification(alice, bob, store.NotificationReblog, orig.ID)}})
		checkStatusCounts(t, s, orig.ID, 1, 1, 0)
		got, err := s.GetStatusByID(ctx, reply.ID)
		mustNot(t, err, "GetStatusByID reply")
		checkStatus(t, got, reply)

		mustBeErrConflict(t, s.PutStatus(ctx, reblogOf(bob, orig, 4)), "second reblog by the same account")
		checkStatusCounts(t, s, orig.ID, 1, 1, 0)
		mustBeErrNotFound(t, s.PutStatus(ctx, &store.Status{ID: nextID(), AccountID: bob.ID, ReblogOfID: nextID(),
			Visibility: store.VisibilityPublic, CreatedAt: testTime(5)}), "reblog of a missing status")

		found, err := s.GetReblog(ctx, bob.ID, orig.ID)
		mustNot(t, err, "GetReblog")
		checkStatus(t, found, rb)
		_, err = s.GetReblog(ctx, alice.ID, orig.ID)
		mustBeErrNotFound(t, err, "GetReblog by a non-reblogger")
		by, err := s.ListRebloggedBy(ctx, orig.ID, everything)
		mustNot(t, err, "ListRebloggedBy")
		if !slices.Equal(statusIDs(by), []int64{rb.ID}) {
			t.Errorf("ListRebloggedBy = %v, want [%d]", statusIDs(by), rb.ID)
		}

		// Unreblog: the reblog's delete takes its count and notification.
		gone, _, err := s.DeleteStatusByID(ctx, rb.ID)
		mustNot(t, err, "DeleteStatusByID reblog")
		checkStatus(t, gone, rb)
		checkStatusCounts(t, s, orig.ID, 1, 0, 0)
		ns, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: alice.ID, Page: everything})
		mustNot(t, err, "ListNotifications")
		if len(ns) != 0 {
			t.Errorf("notifications after unreblog = %d, want 0", len(ns))
		}
		// Deleting the reply takes the replies count back down.
		_, _, err = s.DeleteStatusByID(ctx, reply.ID)
		mustNot(t, err, "DeleteStatusByID reply")
		checkStatusCounts(t, s, orig.ID, 0, 0, 0)
		checkCounts(t, s, bob, 0, 0, 0)
		_, _, err = s.DeleteStatusByID(ctx, reply.ID)
		mustBeErrNotFound(t, err, "DeleteStatusByID twice")
	})

	t.Run("DeleteCascades", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		orig := newStatus(alice, 1)
		putStatusW(t, s, &store.StatusWrite{Status: orig, Mentions: []int64{bob.ID}, Tags: []string{"t"},
			Notifications:  []*store.Notification{newNotification(bob, alice, store.NotificationMention, orig.ID)},
			IdempotencyKey: "k", IdempotencySince: testTime(-3600)})
		rbBob, rbCarol := reblogOf(bob, orig, 2), reblogOf(carol, orig, 3)
		mustNot(t, s.PutStatus(ctx, rbBob), "reblog bob")
		mustNot(t, s.PutStatus(ctx, rbCarol), "reblog carol")
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: orig.ID, CreatedAt: testTime(4)},
			newNotification(alice, bob, store.NotificationFavourite, orig.ID)), "PutFavourite")
		mustNot(t, s.PutBookmark(ctx, &store.Bookmark{ID: nextID(), AccountID: carol.ID, StatusID: orig.ID, CreatedAt: testTime(5)}), "PutBookmark")
		checkStatusCounts(t, s, orig.ID, 0, 2, 1)
		checkCounts(t, s, bob, 0, 0, 1)

		gone, goneReblogs, err := s.DeleteStatusByID(ctx, orig.ID)
		mustNot(t, err, "DeleteStatusByID")
		if gone.Text != orig.Text {
			t.Errorf("deleted status text = %q, want %q (delete returns the source)", gone.Text, orig.Text)
		}
		// The reblogs deleted with it come back, ascending by ID, so their
		// streams can be told to drop them too.
		var rbIDs, rbAuthors []int64
		for _, rb := range goneReblogs {
			rbIDs, rbAuthors = append(rbIDs, rb.ID), append(rbAuthors, rb.AccountID)
		}
		checkIDs(t, "deleted reblogs", rbIDs, []int64{rbBob.ID, rbCarol.ID})
		checkIDs(t, "deleted reblogs' authors", rbAuthors, []int64{bob.ID, carol.ID})
		for _, id := range []int64{orig.ID, rbBob.ID, rbCarol.ID} {
			_, err := s.GetStatusByID(ctx, id)
			mustBeErrNotFound(t, err, fmt.Sprintf("GetStatusByID %d after delete", id))
		}
		checkCounts(t, s, alice, 0, 0, 0)
		checkCounts(t, s, bob, 0, 0, 0)
		checkCounts(t, s, carol, 0, 0, 0)
		for _, a := range []*store.Account{alice, bob} {
			ns, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: a.ID, Page: everything})
			mustNot(t, err, "ListNotifications")
			if len(ns) != 0 {
				t.Errorf("%s keeps %d notifications of a deleted status", a.Username, len(ns))
			}
		}
		favs, err := s.ListFavourites(ctx, bob.ID, everything)
		mustNot(t, err, "ListFavourites")
		bms, err := s.ListBookmarks(ctx, carol.ID, everything)
		mustNot(t, err, "ListBookmarks")
		if len(favs)+len(bms) != 0 {
			t.Errorf("favourites, bookmarks of a deleted status = %d, %d; want 0, 0", len(favs), len(bms))
		}
		_, err = s.GetIdempotentStatusID(ctx, alice.ID, "k", testTime(-3600))
		mustBeErrNotFound(t, err, "idempotency key of a deleted status")
	})

	t.Run("Favourites", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		var sts []*store.Status
		var favs []*store.Favourite
		for i := range 5 {
			st := newStatus(alice, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
			f := &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: st.ID, CreatedAt: testTime(10 + i)}
			mustNot(t, s.PutFavourite(ctx, f, nil), "PutFavourite")
			favs = append(favs, f)
		}
		mustBeErrConflict(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: sts[0].ID,
			CreatedAt: testTime(20)}, nil), "second favourite")
		mustBeErrNotFound(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: nextID(),
			CreatedAt: testTime(20)}, nil), "favourite of a missing status")
		checkStatusCounts(t, s, sts[0].ID, 0, 0, 1)

		page, err := s.ListFavourites(ctx, bob.ID, store.Page{Limit: 2, MaxID: favs[4].ID})
		mustNot(t, err, "ListFavourites")
		if len(page) != 2 || page[0].ID != favs[3].ID || page[1].ID != favs[2].ID || page[0].StatusID != sts[3].ID {
			t.Errorf("ListFavourites below the newest = %+v, want favourites 3, 2", page)
		}
		checkTime(t, "Favourite.CreatedAt", page[0].CreatedAt, favs[3].CreatedAt)
		page, err = s.ListFavourites(ctx, bob.ID, store.Page{Limit: 2, MinID: favs[0].ID})
		mustNot(t, err, "ListFavourites min_id")
		if len(page) != 2 || page[0].ID != favs[2].ID || page[1].ID != favs[1].ID {
			t.Errorf("ListFavourites above the oldest = %+v, want favourites 2, 1", page)
		}
		by, err := s.ListFavouritedBy(ctx, sts[1].ID, everything)
		mustNot(t, err, "ListFavouritedBy")
		if len(by) != 1 || by[0].AccountID != bob.ID {
			t.Errorf("ListFavouritedBy = %+v, want bob's", by)
		}

		mustNot(t, s.DeleteFavourite(ctx, bob.ID, sts[0].ID), "DeleteFavourite")
		mustBeErrNotFound(t, s.DeleteFavourite(ctx, bob.ID, sts[0].ID), "DeleteFavourite twice")
		checkStatusCounts(t, s, sts[0].ID, 0, 0, 0)
	})

	t.Run("RecentInteractions", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		var sts []*store.Status
		for i := range 3 {
			st := newStatus(alice, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
		}
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: sts[0].ID, CreatedAt: testTime(10)}, nil), "PutFavourite")
		mustNot(t, s.PutStatus(ctx, reblogOf(carol, sts[1], 11)), "PutStatus reblog")
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: sts[2].ID, CreatedAt: testTime(12)}, nil), "PutFavourite")

		got, err := s.ListRecentInteractions(ctx, 10)
		mustNot(t, err, "ListRecentInteractions")
		want := []store.AccountStatus{{AccountID: bob.ID, StatusID: sts[2].ID}, {AccountID: carol.ID, StatusID: sts[1].ID}, {AccountID: bob.ID, StatusID: sts[0].ID}}
		if !slices.Equal(got, want) {
			t.Errorf("ListRecentInteractions = %v, want %v (newest first, a boost as booster and original)", got, want)
		}
		if got, err = s.ListRecentInteractions(ctx, 2); err != nil || !slices.Equal(got, want[:2]) {
			t.Errorf("ListRecentInteractions(2) = %v, %v; want %v", got, err, want[:2])
		}
		if _, err = s.ListRecentInteractions(ctx, 0); err == nil {
			t.Error("ListRecentInteractions(0) accepted a zero limit")
		}
	})

	t.Run("BookmarksAndFlags", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		a, b, c := newStatus(alice, 1), newStatus(alice, 2), newStatus(alice, 3)
		for _, st := range []*store.Status{a, b, c} {
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		}
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: a.ID, CreatedAt: testTime(4)}, nil), "fav")
		mustNot(t, s.PutStatus(ctx, reblogOf(bob, b, 5)), "reblog")
		bm := &store.Bookmark{ID: nextID(), AccountID: bob.ID, StatusID: c.ID, CreatedAt: testTime(6)}
		mustNot(t, s.PutBookmark(ctx, bm), "PutBookmark")
		mustBeErrConflict(t, s.PutBookmark(ctx, &store.Bookmark{ID: nextID(), AccountID: bob.ID, StatusID: c.ID, CreatedAt: testTime(7)}), "bookmark twice")

		f, err := s.GetInteractionFlags(ctx, bob.ID, []int64{a.ID, b.ID, c.ID})
		mustNot(t, err, "GetInteractionFlags")
		want := store.InteractionFlags{Favourited: map[int64]bool{a.ID: true}, Reblogged: map[int64]bool{b.ID: true},
			Bookmarked: map[int64]bool{c.ID: true}}
		if fmt.Sprint(*f) != fmt.Sprint(want) {
			t.Errorf("flags = %v, want %v", *f, want)
		}
		f, err = s.GetInteractionFlags(ctx, alice.ID, []int64{a.ID, b.ID, c.ID})
		mustNot(t, err, "GetInteractionFlags alice")
		if len(f.Favourited)+len(f.Reblogged)+len(f.Bookmarked) != 0 {
			t.Errorf("alice's flags = %v, want none", *f)
		}

		bms, err := s.ListBookmarks(ctx, bob.ID, everything)
		mustNot(t, err, "ListBookmarks")
		if len(bms) != 1 || bms[0].ID != bm.ID || bms[0].StatusID != c.ID {
			t.Errorf("ListBookmarks = %+v, want [%+v]", bms, bm)
		}
		mustNot(t, s.DeleteBookmark(ctx, bob.ID, c.ID), "DeleteBookmark")
		mustBeErrNotFound(t, s.DeleteBookmark(ctx, bob.ID, c.ID), "DeleteBookmark twice")

		// One status with two flags: each lands in its own set.
		mustNot(t, s.PutBookmark(ctx, &store.Bookmark{ID: nextID(), AccountID: bob.ID, StatusID: a.ID, CreatedAt: testTime(8)}), "bookmark a")
		f, err = s.GetInteractionFlags(ctx, bob.ID, []int64{a.ID, b.ID, c.ID})
		mustNot(t, err, "GetInteractionFlags after bookmarking a")
		want = store.InteractionFlags{Favourited: map[int64]bool{a.ID: true}, Reblogged: map[int64]bool{b.ID: true},
			Bookmarked: map[int64]bool{a.ID: true}}
		if fmt.Sprint(*f) != fmt.Sprint(want) {
			t.Errorf("flags = %v, want %v", *f, want)
		}
	})

	t.Run("Context", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		// root ← r1 ← r2 ← r3, and root ← side.
		root := newStatus(alice, 0)
		mustNot(t, s.PutStatus(ctx, root), "PutStatus root")
		chain := []*store.Status{root}
		for i := 1; i <= 3; i++ {
			st := newStatus(alice, i)
			st.InReplyToID, st.InReplyToAccountID = chain[i-1].ID, alice.ID
			mustNot(t, s.PutStatus(ctx, st), "PutStatus reply")
			chain = append(chain, st)
		}
		side := newStatus(alice, 4)
		side.InReplyToID, side.InReplyToAccountID = root.ID, alice.ID
		mustNot(t, s.PutStatus(ctx, side), "PutStatus side")

		up, err := s.ListStatusAncestors(ctx, chain[3].ID, 10)
		mustNot(t, err, "ListStatusAncestors")
		if want := statusIDs(chain[:3]); !slices.Equal(statusIDs(up), want) {
			t.Errorf("ancestors = %v, want %v (root first)", statusIDs(up), want)
		}
		up, err = s.ListStatusAncestors(ctx, chain[3].ID, 2)
		mustNot(t, err, "ListStatusAncestors bounded")
		if want := statusIDs(chain[1:3]); !slices.Equal(statusIDs(up), want) {
			t.Errorf("ancestors limit 2 = %v, want the nearest two %v", statusIDs(up), want)
		}
		down, err := s.ListStatusDescendants(ctx, root.ID, 10)
		mustNot(t, err, "ListStatusDescendants")
		if want := []int64{chain[1].ID, chain[2].ID, chain[3].ID, side.ID}; !slices.Equal(statusIDs(down), want) {
			t.Errorf("descendants = %v, want %v", statusIDs(down), want)
		}
		down, err = s.ListStatusDescendants(ctx, root.ID, 2)
		mustNot(t, err, "ListStatusDescendants bounded")
		if len(down) != 2 {
			t.Errorf("descendants limit 2 = %d statuses", len(down))
		}
		none, err := s.ListStatusAncestors(ctx, root.ID, 10)
		mustNot(t, err, "ListStatusAncestors of a root")
		if len(none) != 0 {
			t.Errorf("ancestors of a root = %v", statusIDs(none))
		}
	})

	t.Run("PublicAndTags", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		put := func(n int, a *store.Account, vis store.Visibility, tags ...string) *store.Status {
			st := newStatus(a, n)
			st.Visibility = vis
			return putStatusW(t, s, &store.StatusWrite{Status: st, Tags: tags})
		}
		p1 := put(1, alice, store.VisibilityPublic, "go")
		put(2, alice, store.VisibilityUnlisted, "go")
		put(3, alice, store.VisibilityPrivate, "go")
		p4 := put(4, bob, store.VisibilityPublic, "go", "sql")
		p5 := put(5, bob, store.VisibilityPublic, "sql")
		mustNot(t, s.PutStatus(ctx, reblogOf(alice, p5, 6)), "reblog")
		reply := newStatus(alice, 7)
		reply.InReplyToID, reply.InReplyToAccountID = p5.ID, bob.ID
		mustNot(t, s.PutStatus(ctx, reply), "reply to someone else")
		self := newStatus(bob, 8)
		self.InReplyToID, self.InReplyToAccountID = p5.ID, bob.ID
		mustNot(t, s.PutStatus(ctx, self), "self-reply")

		for _, tc := range []struct {
			name string
			q    store.PublicQuery
			want []*store.Status
		}{
			{"All", store.PublicQuery{}, []*store.Status{self, p5, p4, p1}},
			{"Any", store.PublicQuery{AnyTags: []string{"go"}}, []*store.Status{p4, p1}},
			{"AnyTwo", store.PublicQuery{AnyTags: []string{"go", "sql"}}, []*store.Status{p5, p4, p1}},
			{"All", store.PublicQuery{AnyTags: []string{"go"}, AllTags: []string{"sql"}}, []*store.Status{p4}},
			{"None", store.PublicQuery{AnyTags: []string{"go"}, NoneTags: []string{"sql"}}, []*store.Status{p1}},
			{"Paged", store.PublicQuery{Page: store.Page{Limit: 2, MaxID: p5.ID}}, []*store.Status{p4, p1}},
		} {
			if tc.q.Page.Limit == 0 {
				tc.q.Page.Limit = 20
			}
			got, err := s.ListPublicStatuses(ctx, tc.q)
			mustNot(t, err, "ListPublicStatuses "+tc.name)
			if !slices.Equal(statusIDs(got), statusIDs(tc.want)) {
				t.Errorf("%s: ListPublicStatuses = %v, want %v", tc.name, statusIDs(got), statusIDs(tc.want))
			}
		}
	})

	t.Run("IdempotencyKeys", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		st := newStatus(alice, 0) // created at testTime(0)
		putStatusW(t, s, &store.StatusWrite{Status: st, IdempotencyKey: "key-1", IdempotencySince: testTime(-3600)})
		id, err := s.GetIdempotentStatusID(ctx, alice.ID, "key-1", testTime(-3600))
		mustNot(t, err, "GetIdempotentStatusID")
		if id != st.ID {
			t.Errorf("idempotent status = %d, want %d", id, st.ID)
		}
		_, err = s.GetIdempotentStatusID(ctx, bob.ID, "key-1", testTime(-3600))
		mustBeErrNotFound(t, err, "another account's key")
		_, err = s.GetIdempotentStatusID(ctx, alice.ID, "key-1", testTime(1))
		mustBeErrNotFound(t, err, "an expired key")

		// A live key refuses a second status; a stale one is replaced.
		mustBeErrConflict(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: newStatus(alice, 1),
			IdempotencyKey: "key-1", IdempotencySince: testTime(-3600)}), "reused live key")
		checkCounts(t, s, alice, 0, 0, 1)
		later := newStatus(alice, 7200)
		putStatusW(t, s, &store.StatusWrite{Status: later, IdempotencyKey: "key-1", IdempotencySince: testTime(3600)})
		id, err = s.GetIdempotentStatusID(ctx, alice.ID, "key-1", testTime(3600))
		mustNot(t, err, "GetIdempotentStatusID after reuse")
		if id != later.ID {
			t.Errorf("reused key names %d, want %d", id, later.ID)
		}
	})

	t.Run("ConcurrentCountsMatchRows", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		const workers = 6
		author := putAccount(t, s, "author")
		var fans []*store.Account
		for i := range workers {
			fans = append(fans, putAccount(t, s, fmt.Sprintf("fan%d", i)))
		}
		var targets []*store.Status
		for i := range 4 {
			st := newStatus(author, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			targets = append(targets, st)
		}
		// Each fan favourites, reblogs, replies to and undoes things on every
		// target while the author deletes one target mid-way. Errors that
		// the race makes legitimate (not found, conflict) are expected.
		ok := func(err error) bool {
			return err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict)
		}
		var wg sync.WaitGroup
		for w, fan := range fans {
			wg.Go(func() {
				for round := range 3 {
					for i, st := range targets {
						steps := []error{
							s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: fan.ID, StatusID: st.ID, CreatedAt: testTime(0)},
								newNotification(author, fan, store.NotificationFavourite, st.ID)),
							s.PutStatus(ctx, reblogOf(fan, st, 0)),
							func() error {
								r := newStatus(fan, 0)
								r.InReplyToID, r.InReplyToAccountID = st.ID, author.ID
								return s.PutStatus(ctx, r)
							}(),
						}
						if (w+round+i)%2 == 0 {
							steps = append(steps, s.DeleteFavourite(ctx, fan.ID, st.ID))
							if rb, err := s.GetReblog(ctx, fan.ID, st.ID); err == nil {
								_, _, err = s.DeleteStatusByID(ctx, rb.ID)
								steps = append(steps, err)
							}
						}
						for _, err := range steps {
							if !ok(err) {
								t.Errorf("fan %d: %v", w, err)
							}
						}
					}
				}
			})
		}
		wg.Go(func() {
			if _, _, err := s.DeleteStatusByID(ctx, targets[0].ID); err != nil {
				t.Errorf("DeleteStatusByID: %v", err)
			}
		})
		wg.Wait()

		for _, st := range targets[1:] {
			favs, err := s.ListFavouritedBy(ctx, st.ID, everything)
			mustNot(t, err, "ListFavouritedBy")
			rbs, err := s.ListRebloggedBy(ctx, st.ID, everything)
			mustNot(t, err, "ListRebloggedBy")
			replies, err := s.ListStatusDescendants(ctx, st.ID, 1000)
			mustNot(t, err, "ListStatusDescendants")
			checkStatusCounts(t, s, st.ID, int64(len(replies)), int64(len(rbs)), int64(len(favs)))
		}
		_, err := s.GetStatusByID(ctx, targets[0].ID)
		mustBeErrNotFound(t, err, "deleted target")
		for _, a := range append(fans, author) {
			rows, err := s.ListStatuses(ctx, store.StatusQuery{AccountIDs: []int64{a.ID}, Visibilities: allVisibilities, Page: everything})
			mustNot(t, err, "ListStatuses")
			checkCounts(t, s, a, 0, 0, int64(len(rows)))
		}
	})
}
