package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func newBlock(from, to *store.Account) *store.Block {
	return &store.Block{ID: nextID(), AccountID: from.ID, TargetAccountID: to.ID, CreatedAt: testTime(3)}
}

func newFollowRequest(from, to *store.Account) *store.FollowRequest {
	return &store.FollowRequest{ID: nextID(), AccountID: from.ID, TargetAccountID: to.ID,
		ShowReblogs: false, Notify: true, CreatedAt: testTime(4)}
}

func accountIDs(as ...*store.Account) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func sortedIDs(as ...*store.Account) []int64 {
	out := accountIDs(as...)
	slices.Sort(out)
	return out
}

func checkIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// edgeIDs returns the row IDs of a list, for pagination checks.
func edgeIDs[T any](rows []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		out = append(out, id(r))
	}
	return out
}

func ac(a *store.Account, n int64) store.AccountCount {
	return store.AccountCount{AccountID: a.ID, Count: n}
}

func exerciseRelationships(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("BlockRoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		b := newBlock(alice, bob)
		mustNot(t, s.PutBlock(ctx, b), "PutBlock")
		got, err := s.GetBlock(ctx, alice.ID, bob.ID)
		mustNot(t, err, "GetBlock")
		checkTime(t, "Block.CreatedAt", got.CreatedAt, b.CreatedAt)
		if got.ID != b.ID || got.AccountID != alice.ID || got.TargetAccountID != bob.ID {
			t.Errorf("block = %+v, want %+v", got, b)
		}
		_, err = s.GetBlock(ctx, bob.ID, alice.ID)
		mustBeErrNotFound(t, err, "GetBlock reversed")
		mustBeErrConflict(t, s.PutBlock(ctx, newBlock(alice, bob)), "PutBlock twice")

		mustNot(t, s.DeleteBlock(ctx, alice.ID, bob.ID), "DeleteBlock")
		mustBeErrNotFound(t, s.DeleteBlock(ctx, alice.ID, bob.ID), "DeleteBlock twice")
		_, err = s.GetBlock(ctx, alice.ID, bob.ID)
		mustBeErrNotFound(t, err, "GetBlock after delete")
		mustNot(t, s.PutBlock(ctx, newBlock(alice, bob)), "PutBlock again after delete")
	})

	t.Run("BlockSeversFollowsAndRequests", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		mustNot(t, s.PutFollow(ctx, newFollow(alice, bob)), "PutFollow alice→bob")
		mustNot(t, s.PutFollow(ctx, newFollow(bob, alice)), "PutFollow bob→alice")
		mustNot(t, s.PutFollow(ctx, newFollow(carol, bob)), "PutFollow carol→bob")
		mustNot(t, s.PutFollow(ctx, newFollow(alice, carol)), "PutFollow alice→carol")
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(carol, alice)), "PutFollowRequest carol→alice")
		checkCounts(t, s, alice, 1, 2, 0)
		checkCounts(t, s, bob, 2, 1, 0)

		mustNot(t, s.PutBlock(ctx, newBlock(bob, alice)), "PutBlock bob→alice")
		for _, e := range [][2]*store.Account{{alice, bob}, {bob, alice}} {
			_, err := s.GetFollow(ctx, e[0].ID, e[1].ID)
			mustBeErrNotFound(t, err, fmt.Sprintf("GetFollow %s→%s after block", e[0].Username, e[1].Username))
		}
		checkCounts(t, s, alice, 0, 1, 0)
		checkCounts(t, s, bob, 1, 0, 0)
		checkCounts(t, s, carol, 1, 1, 0)
		// Requests between others survive.
		_, err := s.GetFollowRequest(ctx, carol.ID, alice.ID)
		mustNot(t, err, "GetFollowRequest carol→alice after an unrelated block")

		// Requests between the two go, both ways.
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(alice, carol)), "PutFollowRequest alice→carol")
		mustNot(t, s.PutBlock(ctx, newBlock(alice, carol)), "PutBlock alice→carol")
		for _, e := range [][2]*store.Account{{carol, alice}, {alice, carol}} {
			_, err := s.GetFollowRequest(ctx, e[0].ID, e[1].ID)
			mustBeErrNotFound(t, err, fmt.Sprintf("GetFollowRequest %s→%s after block", e[0].Username, e[1].Username))
		}
		checkCounts(t, s, alice, 0, 0, 0)
		checkCounts(t, s, carol, 0, 1, 0)

		// A duplicate block changes nothing, counts included.
		mustBeErrConflict(t, s.PutBlock(ctx, newBlock(bob, alice)), "PutBlock twice")
		checkCounts(t, s, bob, 1, 0, 0)
		checkCounts(t, s, carol, 0, 1, 0)
	})

	t.Run("BlockedAndBlockingIDs", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me, a, b, c, d := putAccount(t, s, "me"), putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c"), putAccount(t, s, "d")
		mustNot(t, s.PutBlock(ctx, newBlock(me, a)), "PutBlock me→a")
		mustNot(t, s.PutBlock(ctx, newBlock(b, me)), "PutBlock b→me")
		mustNot(t, s.PutBlock(ctx, newBlock(me, c)), "PutBlock me→c")
		mustNot(t, s.PutBlock(ctx, newBlock(c, me)), "PutBlock c→me")
		mustNot(t, s.PutBlock(ctx, newBlock(d, a)), "PutBlock d→a") // not mine
		got, err := s.GetBlockedAndBlockingIDs(ctx, me.ID)
		mustNot(t, err, "GetBlockedAndBlockingIDs")
		checkIDs(t, "GetBlockedAndBlockingIDs", got, sortedIDs(a, b, c))
		got, err = s.GetBlockedAndBlockingIDs(ctx, putAccount(t, s, "loner").ID)
		mustNot(t, err, "GetBlockedAndBlockingIDs of nobody")
		checkIDs(t, "GetBlockedAndBlockingIDs of nobody", got, nil)
	})

	// ViewerRelations: the one-query read of follows, blocks both ways and
	// mutes the visibility rule runs on every read agrees with the four
	// single-purpose queries, and ignores other accounts' edges.
	t.Run("ViewerRelations", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		now := testTime(100)
		later, past := now.Add(time.Hour), now.Add(-time.Second)
		me, x := putAccount(t, s, "me"), putAccount(t, s, "x")
		a, b, c, d := putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c"), putAccount(t, s, "d")
		e, f, g := putAccount(t, s, "e"), putAccount(t, s, "f"), putAccount(t, s, "g")
		for _, to := range []*store.Account{f, a} {
			mustNot(t, s.PutFollow(ctx, newFollow(me, to)), "PutFollow me→"+to.Username)
		}
		mustNot(t, s.PutFollow(ctx, newFollow(x, b)), "PutFollow x→b")   // not mine
		mustNot(t, s.PutFollow(ctx, newFollow(a, me)), "PutFollow a→me") // a follower, not a followee
		mustNot(t, s.PutBlock(ctx, newBlock(me, b)), "PutBlock me→b")
		mustNot(t, s.PutBlock(ctx, newBlock(c, me)), "PutBlock c→me")
		mustNot(t, s.PutBlock(ctx, newBlock(me, d)), "PutBlock me→d")
		mustNot(t, s.PutBlock(ctx, newBlock(d, me)), "PutBlock d→me") // both ways: listed once
		mustNot(t, s.PutBlock(ctx, newBlock(x, a)), "PutBlock x→a")   // not mine
		for i, m := range []*store.Mute{
			{AccountID: me.ID, TargetAccountID: g.ID, Notifications: true},                   // notifications too
			{AccountID: me.ID, TargetAccountID: f.ID, ExpiresAt: &later},                     // followed and muted, until later
			{AccountID: me.ID, TargetAccountID: e.ID, Notifications: true, ExpiresAt: &past}, // expired
			{AccountID: x.ID, TargetAccountID: a.ID, Notifications: true},                    // not mine
		} {
			m.ID, m.CreatedAt = nextID(), testTime(i+1)
			mustNot(t, s.PutMute(ctx, m), "PutMute")
		}

		check := func(at time.Time, muted []int64, until time.Time) {
			t.Helper()
			r, err := s.GetViewerRelations(ctx, me.ID, at)
			mustNot(t, err, "GetViewerRelations")
			if until = until.Truncate(time.Microsecond); !r.Until.Equal(until) { // stored to the microsecond
				t.Errorf("Until at %v = %v, want %v", at, r.Until, until)
			}
			checkIDs(t, "Following", r.Following, sortedIDs(a, f))
			checkIDs(t, "BlockedOrBlocking", r.BlockedOrBlocking, sortedIDs(b, c, d))
			checkIDs(t, "Muted", r.Muted, muted)
			checkIDs(t, "NotificationMuted", r.NotificationMuted, sortedIDs(g))
			// The single-purpose queries give the same answers.
			following, err := s.GetFollowingIDs(ctx, me.ID)
			mustNot(t, err, "GetFollowingIDs")
			checkIDs(t, "GetFollowingIDs", r.Following, following)
			blocked, err := s.GetBlockedAndBlockingIDs(ctx, me.ID)
			mustNot(t, err, "GetBlockedAndBlockingIDs")
			checkIDs(t, "GetBlockedAndBlockingIDs", r.BlockedOrBlocking, blocked)
			mutedIDs, err := s.GetMutedIDs(ctx, me.ID, at)
			mustNot(t, err, "GetMutedIDs")
			checkIDs(t, "GetMutedIDs", r.Muted, mutedIDs)
			notif, err := s.GetNotificationMutedIDs(ctx, me.ID, at)
			mustNot(t, err, "GetNotificationMutedIDs")
			checkIDs(t, "GetNotificationMutedIDs", r.NotificationMuted, notif)
		}
		check(now, sortedIDs(f, g), later)      // f's mute is the first to end
		check(later, sortedIDs(g), time.Time{}) // f's mute ends at later; g's never

		r, err := s.GetViewerRelations(ctx, putAccount(t, s, "loner").ID, now)
		mustNot(t, err, "GetViewerRelations of nobody")
		if r.Following != nil || r.BlockedOrBlocking != nil || r.Muted != nil || r.NotificationMuted != nil {
			t.Errorf("GetViewerRelations of nobody = %+v, want all empty", r)
		}
	})

	t.Run("ListBlocksPaged", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me := putAccount(t, s, "me")
		var blocks []int64 // ascending block IDs
		for i := range 5 {
			b := newBlock(me, putAccount(t, s, fmt.Sprintf("t%d", i)))
			mustNot(t, s.PutBlock(ctx, b), "PutBlock")
			blocks = append(blocks, b.ID)
		}
		mustNot(t, s.PutBlock(ctx, newBlock(putAccount(t, s, "other"), me)), "PutBlock other→me")
		id := func(b *store.Block) int64 { return b.ID }
		for _, c := range []struct {
			name string
			page store.Page
			want []int64
		}{
			{"first", store.Page{Limit: 2}, []int64{blocks[4], blocks[3]}},
			{"max_id", store.Page{Limit: 2, MaxID: blocks[3]}, []int64{blocks[2], blocks[1]}},
			{"min_id", store.Page{Limit: 2, MinID: blocks[0]}, []int64{blocks[2], blocks[1]}},
			{"since_id", store.Page{Limit: 10, SinceID: blocks[2]}, []int64{blocks[4], blocks[3]}},
			{"all", store.Page{Limit: 40}, []int64{blocks[4], blocks[3], blocks[2], blocks[1], blocks[0]}},
		} {
			got, err := s.ListBlocks(ctx, me.ID, c.page)
			mustNot(t, err, "ListBlocks "+c.name)
			checkIDs(t, "ListBlocks "+c.name, edgeIDs(got, id), c.want)
		}
		if _, err := s.ListBlocks(ctx, me.ID, store.Page{}); err == nil {
			t.Error("ListBlocks with limit 0 succeeded")
		}
	})

	t.Run("Mutes", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me, a, b, c := putAccount(t, s, "me"), putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c")
		now := testTime(100)
		later := now.Add(time.Hour)
		ma := &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: a.ID, Notifications: true, CreatedAt: testTime(1)}
		mb := &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: b.ID, ExpiresAt: &later, CreatedAt: testTime(2)}
		past := now.Add(-time.Second)
		mc := &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: c.ID, ExpiresAt: &past, CreatedAt: testTime(3)}
		for _, m := range []*store.Mute{ma, mb, mc} {
			mustNot(t, s.PutMute(ctx, m), "PutMute")
		}
		got, err := s.GetMute(ctx, me.ID, b.ID, now)
		mustNot(t, err, "GetMute b")
		checkTime(t, "Mute.CreatedAt", got.CreatedAt, mb.CreatedAt)
		checkTimePtr(t, "Mute.ExpiresAt", got.ExpiresAt, mb.ExpiresAt)
		if got.ID != mb.ID || got.Notifications {
			t.Errorf("mute b = %+v", got)
		}
		got, err = s.GetMute(ctx, me.ID, a.ID, now)
		mustNot(t, err, "GetMute a")
		if got.ExpiresAt != nil || !got.Notifications {
			t.Errorf("mute a = %+v, want indefinite with notifications", got)
		}
		_, err = s.GetMute(ctx, me.ID, c.ID, now)
		mustBeErrNotFound(t, err, "GetMute of an expired mute")
		_, err = s.GetMute(ctx, me.ID, b.ID, later)
		mustBeErrNotFound(t, err, "GetMute at its expiry")

		ids, err := s.GetMutedIDs(ctx, me.ID, now)
		mustNot(t, err, "GetMutedIDs")
		checkIDs(t, "GetMutedIDs", ids, sortedIDs(a, b))
		ids, err = s.GetMutedIDs(ctx, me.ID, later)
		mustNot(t, err, "GetMutedIDs later")
		checkIDs(t, "GetMutedIDs later", ids, sortedIDs(a))
		// Only a's mute covers notifications; b's does not, c's expired.
		ids, err = s.GetNotificationMutedIDs(ctx, me.ID, now)
		mustNot(t, err, "GetNotificationMutedIDs")
		checkIDs(t, "GetNotificationMutedIDs", ids, sortedIDs(a))

		list, err := s.ListMutes(ctx, me.ID, now, store.Page{Limit: 10})
		mustNot(t, err, "ListMutes")
		checkIDs(t, "ListMutes", edgeIDs(list, func(m *store.Mute) int64 { return m.ID }), []int64{mb.ID, ma.ID})

		// Muting again replaces the options and revives an expired mute,
		// keeping the row's ID.
		again := &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: c.ID, Notifications: true, CreatedAt: testTime(9)}
		mustNot(t, s.PutMute(ctx, again), "PutMute again")
		got, err = s.GetMute(ctx, me.ID, c.ID, now)
		mustNot(t, err, "GetMute c after re-mute")
		if got.ID != mc.ID || got.ExpiresAt != nil || !got.Notifications {
			t.Errorf("re-muted = %+v, want ID %d, indefinite, notifications", got, mc.ID)
		}
		ids, err = s.GetNotificationMutedIDs(ctx, me.ID, now)
		mustNot(t, err, "GetNotificationMutedIDs after re-mute")
		checkIDs(t, "GetNotificationMutedIDs after re-mute", ids, sortedIDs(a, c))
		// Re-muting b with notifications off again keeps it out.
		mustNot(t, s.PutMute(ctx, &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: b.ID, CreatedAt: testTime(10)}), "PutMute b again")
		ids, err = s.GetNotificationMutedIDs(ctx, b.ID, now)
		mustNot(t, err, "GetNotificationMutedIDs of b")
		checkIDs(t, "GetNotificationMutedIDs of b", ids, nil)

		mustNot(t, s.DeleteMute(ctx, me.ID, a.ID), "DeleteMute")
		mustBeErrNotFound(t, s.DeleteMute(ctx, me.ID, a.ID), "DeleteMute twice")
		_, err = s.GetMute(ctx, me.ID, a.ID, now)
		mustBeErrNotFound(t, err, "GetMute after delete")
	})

	t.Run("FollowRequests", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		locked, a, b, c := putAccount(t, s, "locked"), putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c")
		var reqs []*store.FollowRequest
		for _, from := range []*store.Account{a, b, c} {
			fr := newFollowRequest(from, locked)
			mustNot(t, s.PutFollowRequest(ctx, fr), "PutFollowRequest")
			reqs = append(reqs, fr)
		}
		mustBeErrConflict(t, s.PutFollowRequest(ctx, newFollowRequest(a, locked)), "PutFollowRequest twice")
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(locked, a)), "PutFollowRequest the other way")
		for _, c := range []struct {
			who  *store.Account
			want int64
		}{{locked, 3}, {a, 1}, {b, 0}} {
			n, err := s.CountFollowRequests(ctx, c.who.ID)
			mustNot(t, err, "CountFollowRequests")
			if n != c.want {
				t.Errorf("CountFollowRequests(%s) = %d, want %d", c.who.Username, n, c.want)
			}
		}

		got, err := s.GetFollowRequest(ctx, a.ID, locked.ID)
		mustNot(t, err, "GetFollowRequest")
		checkTime(t, "FollowRequest.CreatedAt", got.CreatedAt, reqs[0].CreatedAt)
		g, w := *got, *reqs[0]
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("follow request:\n got %+v\nwant %+v", g, w)
		}

		list, err := s.ListFollowRequests(ctx, locked.ID, store.Page{Limit: 2})
		mustNot(t, err, "ListFollowRequests")
		id := func(fr *store.FollowRequest) int64 { return fr.ID }
		checkIDs(t, "ListFollowRequests", edgeIDs(list, id), []int64{reqs[2].ID, reqs[1].ID})
		list, err = s.ListFollowRequests(ctx, locked.ID, store.Page{Limit: 2, MaxID: reqs[1].ID})
		mustNot(t, err, "ListFollowRequests page 2")
		checkIDs(t, "ListFollowRequests page 2", edgeIDs(list, id), []int64{reqs[0].ID})

		// Authorize: the request becomes a follow with its options.
		followID := nextID()
		f, err := s.AuthorizeFollowRequest(ctx, a.ID, locked.ID, followID, testTime(20))
		mustNot(t, err, "AuthorizeFollowRequest")
		want := &store.Follow{ID: followID, AccountID: a.ID, TargetAccountID: locked.ID,
			ShowReblogs: false, Notify: true, CreatedAt: testTime(20)}
		checkFollow(t, f, want)
		stored, err := s.GetFollow(ctx, a.ID, locked.ID)
		mustNot(t, err, "GetFollow after authorize")
		checkFollow(t, stored, want)
		_, err = s.GetFollowRequest(ctx, a.ID, locked.ID)
		mustBeErrNotFound(t, err, "GetFollowRequest after authorize")
		checkCounts(t, s, locked, 1, 0, 0)
		checkCounts(t, s, a, 0, 1, 0)
		_, err = s.AuthorizeFollowRequest(ctx, a.ID, locked.ID, nextID(), testTime(21))
		mustBeErrNotFound(t, err, "AuthorizeFollowRequest twice")
		checkCounts(t, s, locked, 1, 0, 0)

		// A request whose follow exists already cannot be authorized; the
		// request stays and nothing is counted twice.
		mustNot(t, s.PutFollow(ctx, newFollow(b, locked)), "PutFollow b→locked")
		_, err = s.AuthorizeFollowRequest(ctx, b.ID, locked.ID, nextID(), testTime(22))
		mustBeErrConflict(t, err, "AuthorizeFollowRequest over a follow")
		_, err = s.GetFollowRequest(ctx, b.ID, locked.ID)
		mustNot(t, err, "GetFollowRequest after a failed authorize")
		checkCounts(t, s, locked, 2, 0, 0)

		mustNot(t, s.DeleteFollowRequest(ctx, c.ID, locked.ID), "DeleteFollowRequest")
		mustBeErrNotFound(t, s.DeleteFollowRequest(ctx, c.ID, locked.ID), "DeleteFollowRequest twice")
		checkCounts(t, s, c, 0, 0, 0)
	})

	t.Run("Relations", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		now := testTime(50)
		me := putAccount(t, s, "me")
		friend, fan, blocked, blocker, muted, asked, asker, stranger :=
			putAccount(t, s, "friend"), putAccount(t, s, "fan"), putAccount(t, s, "blocked"), putAccount(t, s, "blocker"),
			putAccount(t, s, "muted"), putAccount(t, s, "asked"), putAccount(t, s, "asker"), putAccount(t, s, "stranger")
		expired := putAccount(t, s, "expired")
		f := newFollow(me, friend)
		f.ShowReblogs, f.Notify = false, true
		mustNot(t, s.PutFollow(ctx, f), "PutFollow me→friend")
		mustNot(t, s.PutFollow(ctx, newFollow(friend, me)), "PutFollow friend→me")
		mustNot(t, s.PutFollow(ctx, newFollow(fan, me)), "PutFollow fan→me")
		mustNot(t, s.PutBlock(ctx, newBlock(me, blocked)), "PutBlock me→blocked")
		mustNot(t, s.PutBlock(ctx, newBlock(blocker, me)), "PutBlock blocker→me")
		mustNot(t, s.PutMute(ctx, &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: muted.ID, CreatedAt: now}), "PutMute")
		mustNot(t, s.PutMute(ctx, &store.Mute{ID: nextID(), AccountID: muted.ID, TargetAccountID: me.ID, CreatedAt: now}), "PutMute back") // not my relation
		gone := now.Add(-time.Minute)
		mustNot(t, s.PutMute(ctx, &store.Mute{ID: nextID(), AccountID: me.ID, TargetAccountID: expired.ID, ExpiresAt: &gone, CreatedAt: now}), "PutMute expired")
		mustNot(t, s.PutFollowRequest(ctx, &store.FollowRequest{ID: nextID(), AccountID: me.ID, TargetAccountID: asked.ID,
			ShowReblogs: true, Notify: true, CreatedAt: now}), "PutFollowRequest me→asked")
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(asker, me)), "PutFollowRequest asker→me")

		targets := []int64{friend.ID, fan.ID, blocked.ID, blocker.ID, muted.ID, asked.ID, asker.ID, stranger.ID, expired.ID, nextID(), friend.ID}
		got, err := s.GetRelations(ctx, me.ID, targets, now)
		mustNot(t, err, "GetRelations")
		want := []store.Relation{
			{TargetID: friend.ID, Following: true, ShowingReblogs: false, Notifying: true, FollowedBy: true},
			{TargetID: fan.ID, FollowedBy: true},
			{TargetID: blocked.ID, Blocking: true},
			{TargetID: blocker.ID, BlockedBy: true},
			{TargetID: muted.ID, Muting: true},
			{TargetID: asked.ID, Requested: true, ShowingReblogs: true, Notifying: true},
			{TargetID: asker.ID, RequestedBy: true},
			{TargetID: stranger.ID},
			{TargetID: expired.ID},
			{TargetID: targets[9]}, // no such account: no relation
			{TargetID: friend.ID, Following: true, ShowingReblogs: false, Notifying: true, FollowedBy: true},
		}
		if len(got) != len(want) {
			t.Fatalf("GetRelations returned %d relations, want %d", len(got), len(want))
		}
		for i := range want {
			if *got[i] != want[i] {
				t.Errorf("relation %d:\n got %+v\nwant %+v", i, *got[i], want[i])
			}
		}
		none, err := s.GetRelations(ctx, me.ID, nil, now)
		mustNot(t, err, "GetRelations of no targets")
		if len(none) != 0 {
			t.Errorf("GetRelations of no targets = %v", none)
		}
	})

	t.Run("FollowersAndFollowingPagedByFollowID", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me := putAccount(t, s, "me")
		// Accounts created in one order, followed in the reverse: the lists
		// page by the follow's ID, not the account's.
		var others []*store.Account
		for i := range 4 {
			others = append(others, putAccount(t, s, fmt.Sprintf("o%d", i)))
		}
		var in, out []int64 // follow IDs, ascending
		for i := len(others) - 1; i >= 0; i-- {
			f := newFollow(others[i], me)
			mustNot(t, s.PutFollow(ctx, f), "PutFollow in")
			in = append(in, f.ID)
			g := newFollow(me, others[i])
			mustNot(t, s.PutFollow(ctx, g), "PutFollow out")
			out = append(out, g.ID)
		}
		id := func(f *store.Follow) int64 { return f.ID }
		got, err := s.ListFollowers(ctx, me.ID, store.Page{Limit: 3})
		mustNot(t, err, "ListFollowers")
		checkIDs(t, "ListFollowers", edgeIDs(got, id), []int64{in[3], in[2], in[1]})
		if got[0].AccountID != others[0].ID || got[0].TargetAccountID != me.ID {
			t.Errorf("newest follower edge = %+v, want from %d", got[0], others[0].ID)
		}
		got, err = s.ListFollowers(ctx, me.ID, store.Page{Limit: 3, MaxID: in[1]})
		mustNot(t, err, "ListFollowers page 2")
		checkIDs(t, "ListFollowers page 2", edgeIDs(got, id), []int64{in[0]})
		got, err = s.ListFollowing(ctx, me.ID, store.Page{Limit: 2, MinID: out[0]})
		mustNot(t, err, "ListFollowing min_id")
		checkIDs(t, "ListFollowing min_id", edgeIDs(got, id), []int64{out[2], out[1]})
		got, err = s.ListFollowing(ctx, others[0].ID, store.Page{Limit: 10})
		mustNot(t, err, "ListFollowing of o0")
		checkIDs(t, "ListFollowing of o0", edgeIDs(got, id), []int64{in[3]})
	})

	t.Run("UpdateFollow", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		f := newFollow(alice, bob) // both options true
		mustNot(t, s.PutFollow(ctx, f), "PutFollow")
		f.ShowReblogs, f.Notify = false, false
		mustNot(t, s.UpdateFollow(ctx, f, "notify"), "UpdateFollow notify")
		got, err := s.GetFollow(ctx, alice.ID, bob.ID)
		mustNot(t, err, "GetFollow")
		if !got.ShowReblogs || got.Notify {
			t.Errorf("after updating notify only: %+v", got)
		}
		mustNot(t, s.UpdateFollow(ctx, f, "show_reblogs", "notify"), "UpdateFollow both")
		got, _ = s.GetFollow(ctx, alice.ID, bob.ID)
		if got.ShowReblogs || got.Notify {
			t.Errorf("after updating both: %+v", got)
		}
		if err := s.UpdateFollow(ctx, f, "account_id"); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateFollow of account_id: %v, want a non-sentinel error", err)
		}
		mustBeErrNotFound(t, s.UpdateFollow(ctx, newFollow(bob, alice), "notify"), "UpdateFollow of a missing edge")
		checkCounts(t, s, alice, 0, 1, 0)
	})

	t.Run("UpdateAccount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a := putAccount(t, s, "alice")
		mustNot(t, s.PutFollow(ctx, newFollow(putAccount(t, s, "bob"), a)), "PutFollow")
		want := getAccount(t, s, a.ID)
		edit := *want
		edit.DisplayName, edit.Note, edit.Locked, edit.Bot, edit.Discoverable = "Alice ✨", "<p>new</p>", false, false, false
		edit.FollowersCount = 99 // not a column the update may set
		mustNot(t, s.UpdateAccount(ctx, &edit, "display_name", "note"), "UpdateAccount")
		want.DisplayName, want.Note = edit.DisplayName, edit.Note
		checkAccount(t, getAccount(t, s, a.ID), want)
		mustNot(t, s.UpdateAccount(ctx, &edit, "locked", "bot", "discoverable"), "UpdateAccount booleans")
		want.Locked, want.Bot, want.Discoverable = false, false, false
		checkAccount(t, getAccount(t, s, a.ID), want)
		if err := s.UpdateAccount(ctx, &edit, "followers_count"); err == nil {
			t.Error("UpdateAccount of followers_count succeeded")
		}
		checkAccount(t, getAccount(t, s, a.ID), want)
		ghost := newAccount("ghost")
		mustBeErrNotFound(t, s.UpdateAccount(ctx, ghost, "note"), "UpdateAccount of a missing account")
	})

	t.Run("SearchAccounts", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		mk := func(username, display string, followers int) *store.Account {
			a := newAccount(username)
			a.DisplayName, a.FollowersCount = display, int64(followers)
			mustNot(t, s.PutAccount(ctx, a), "PutAccount "+username)
			return a
		}
		al := mk("al", "Someone", 0)
		alice := mk("Alice", "Alice Liddell", 5)
		alfred := mk("alfred", "Alfred", 9)
		bob := mk("bob", "ALbert Bob", 100) // display-name prefix only
		under := mk("al_x", "x", 1)
		alx := mk("alxy", "x", 0) // "al_" must not match it: _ is literal
		mk("carol", "Carol", 50)
		élan := mk("zed", "élan vital", 3) // a multi-byte prefix
		search := func(q store.AccountSearch) []int64 {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 40
			}
			got, err := s.SearchAccounts(ctx, q)
			mustNot(t, err, "SearchAccounts "+q.Query)
			return accountIDs(got...)
		}
		checkIDs(t, `search "AL"`, search(store.AccountSearch{Query: "AL"}),
			accountIDs(al, alfred, alice, under, alx, bob))
		checkIDs(t, `search "al_"`, search(store.AccountSearch{Query: "al_"}), accountIDs(under))
		checkIDs(t, `search "alb"`, search(store.AccountSearch{Query: "alb"}), accountIDs(bob))
		checkIDs(t, `search "%"`, search(store.AccountSearch{Query: "%"}), nil)
		checkIDs(t, `search "él"`, search(store.AccountSearch{Query: "él"}), accountIDs(élan))
		checkIDs(t, `search "élb"`, search(store.AccountSearch{Query: "élb"}), nil)
		checkIDs(t, `search "carolx"`, search(store.AccountSearch{Query: "carolx"}), nil)
		checkIDs(t, `search "alfred"`, search(store.AccountSearch{Query: "alfred"}), accountIDs(alfred))
		checkIDs(t, "limit/offset", search(store.AccountSearch{Query: "al", Limit: 2, Offset: 1}), accountIDs(alfred, alice))
		checkIDs(t, "exclude", search(store.AccountSearch{Query: "al", ExcludeIDs: accountIDs(alfred, bob)}),
			accountIDs(al, alice, under, alx))

		me := mk("me", "Me", 0)
		mustNot(t, s.PutFollow(ctx, newFollow(me, alice)), "PutFollow me→alice")
		mustNot(t, s.PutFollow(ctx, newFollow(me, bob)), "PutFollow me→bob")
		// PutFollow bumps alice to 6 and bob to 101: order within a rank unchanged.
		checkIDs(t, "following", search(store.AccountSearch{Query: "al", FollowedBy: me.ID}), accountIDs(alice, bob))
		if _, err := s.SearchAccounts(ctx, store.AccountSearch{Query: "al"}); err == nil {
			t.Error("SearchAccounts with limit 0 succeeded")
		}
	})

	t.Run("Suggestions", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me := putAccount(t, s, "me")
		f1, f2, f3 := putAccount(t, s, "f1"), putAccount(t, s, "f2"), putAccount(t, s, "f3")
		popular, niche, hidden, excluded, already := putAccount(t, s, "popular"), putAccount(t, s, "niche"),
			putAccount(t, s, "hidden"), putAccount(t, s, "excluded"), putAccount(t, s, "already")
		hiddenEdit := *hidden
		hiddenEdit.Discoverable = false
		mustNot(t, s.UpdateAccount(ctx, &hiddenEdit, "discoverable"), "UpdateAccount hidden")
		follow := func(a, b *store.Account) {
			t.Helper()
			mustNot(t, s.PutFollow(ctx, newFollow(a, b)), "PutFollow "+a.Username+"→"+b.Username)
		}
		for _, f := range []*store.Account{f1, f2, f3, already} {
			follow(me, f)
		}
		for _, f := range []*store.Account{f1, f2, f3} {
			follow(f, popular)
			follow(f, hidden)
			follow(f, excluded)
			follow(f, already)
			follow(f, me)
		}
		follow(f1, niche)

		got, err := s.ListFriendsOfFriends(ctx, me.ID, []int64{excluded.ID}, 10)
		mustNot(t, err, "ListFriendsOfFriends")
		want := []store.AccountCount{ac(popular, 3), ac(niche, 1)}
		if !slices.Equal(got, want) {
			t.Errorf("ListFriendsOfFriends = %v, want %v", got, want)
		}
		got, err = s.ListFriendsOfFriends(ctx, me.ID, nil, 1)
		mustNot(t, err, "ListFriendsOfFriends limit 1")
		if !slices.Equal(got, []store.AccountCount{ac(popular, 3)}) { // ties go by ascending ID
			t.Errorf("ListFriendsOfFriends limit 1 = %v", got)
		}

		most, err := s.ListMostFollowed(ctx, []int64{me.ID, already.ID}, 3)
		mustNot(t, err, "ListMostFollowed")
		// popular and excluded have 3 followers, me 3; hidden is not
		// discoverable; ties go by ascending ID.
		wantMost := []store.AccountCount{ac(popular, 3), ac(excluded, 3), ac(f1, 1)}
		if !slices.Equal(most, wantMost) {
			t.Errorf("ListMostFollowed = %v, want %v", most, wantMost)
		}

		mustNot(t, s.PutSuggestionDismissal(ctx, me.ID, popular.ID, testTime(1)), "PutSuggestionDismissal")
		mustNot(t, s.PutSuggestionDismissal(ctx, me.ID, popular.ID, testTime(2)), "PutSuggestionDismissal twice")
		mustNot(t, s.PutSuggestionDismissal(ctx, me.ID, niche.ID, testTime(2)), "PutSuggestionDismissal niche")
		ids, err := s.GetDismissedSuggestionIDs(ctx, me.ID)
		mustNot(t, err, "GetDismissedSuggestionIDs")
		checkIDs(t, "GetDismissedSuggestionIDs", ids, sortedIDs(popular, niche))
	})

	t.Run("FollowRefusedAcrossBlock", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a, b, c := putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c")
		mustNot(t, s.PutBlock(ctx, newBlock(a, b)), "PutBlock a→b")
		for _, f := range []*store.Follow{newFollow(a, b), newFollow(b, a)} {
			if err := s.PutFollow(ctx, f); !errors.Is(err, store.ErrBlocked) {
				t.Errorf("PutFollow %d→%d across a block: %v, want one wrapping store.ErrBlocked", f.AccountID, f.TargetAccountID, err)
			}
		}
		checkCounts(t, s, a, 0, 0, 0)
		checkCounts(t, s, b, 0, 0, 0)
		mustNot(t, s.PutFollow(ctx, newFollow(a, c)), "PutFollow a→c (no block)")
		mustNot(t, s.DeleteBlock(ctx, a.ID, b.ID), "DeleteBlock")
		mustNot(t, s.PutFollow(ctx, newFollow(b, a)), "PutFollow after unblock")
		checkCounts(t, s, a, 1, 1, 0)
	})

	t.Run("ReblogsHiddenIDs", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me, a, b, c := putAccount(t, s, "me"), putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "c")
		for _, to := range []*store.Account{c, a, b} {
			f := newFollow(me, to)
			f.ShowReblogs = to != b
			mustNot(t, s.PutFollow(ctx, f), "PutFollow")
		}
		off := newFollow(a, c)
		off.ShowReblogs = false
		mustNot(t, s.PutFollow(ctx, off), "PutFollow a→c") // not mine
		mustNot(t, s.UpdateFollow(ctx, &store.Follow{AccountID: me.ID, TargetAccountID: c.ID}, "show_reblogs"), "UpdateFollow")
		ids, err := s.GetReblogsHiddenIDs(ctx, me.ID)
		mustNot(t, err, "GetReblogsHiddenIDs")
		checkIDs(t, "GetReblogsHiddenIDs", ids, sortedIDs(b, c))
	})

	t.Run("ConcurrentBlocksAndFollowsKeepCounts", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		exerciseConcurrentBlocks(t, s)
	})
}

// exerciseConcurrentBlocks races follows, unfollows and blocks over every
// ordered pair of a few accounts, then checks that every account's counts
// equal the follow rows, and that no follow survives a block between its
// accounts made after it.
func exerciseConcurrentBlocks(t *testing.T, s store.Store) {
	const nAccounts = 5
	ctx := t.Context()
	var accounts []*store.Account
	for i := range nAccounts {
		accounts = append(accounts, putAccount(t, s, fmt.Sprintf("racer%d", i)))
	}
	var wg sync.WaitGroup
	for _, a := range accounts {
		for _, b := range accounts {
			if a == b {
				continue
			}
			wg.Go(func() {
				for range 3 {
					// ErrBlocked once a block between them committed.
					if err := s.PutFollow(ctx, newFollow(a, b)); err != nil &&
						!errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrBlocked) {
						t.Errorf("PutFollow: %v", err)
					}
					if err := s.DeleteFollow(ctx, b.ID, a.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("DeleteFollow: %v", err)
					}
				}
			})
			wg.Go(func() {
				if err := s.PutBlock(ctx, newBlock(a, b)); err != nil && !errors.Is(err, store.ErrConflict) {
					t.Errorf("PutBlock: %v", err)
				}
			})
		}
	}
	wg.Wait()
	followers := map[int64]int64{}
	for _, a := range accounts {
		following, err := s.GetFollowingIDs(ctx, a.ID)
		mustNot(t, err, "GetFollowingIDs")
		for _, id := range following {
			followers[id]++
		}
		got := getAccount(t, s, a.ID)
		if got.FollowingCount != int64(len(following)) {
			t.Errorf("%s following_count = %d, rows %d", a.Username, got.FollowingCount, len(following))
		}
	}
	for _, a := range accounts {
		if got := getAccount(t, s, a.ID); got.FollowersCount != followers[a.ID] {
			t.Errorf("%s followers_count = %d, rows %d", a.Username, got.FollowersCount, followers[a.ID])
		}
	}
	// Every pair is blocked both ways now, so no follow may be left: a
	// follow that raced a block either came first and was severed by it,
	// or came second and was refused.
	for _, a := range accounts {
		following, err := s.GetFollowingIDs(ctx, a.ID)
		mustNot(t, err, "GetFollowingIDs after the race")
		if len(following) != 0 {
			t.Errorf("%s still follows %v across blocks", a.Username, following)
		}
	}
	// Blocking again changes nothing.
	mustBeErrConflict(t, s.PutBlock(ctx, newBlock(accounts[0], accounts[1])), "PutBlock after the race")
}
