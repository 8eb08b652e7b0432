package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseLists(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		newList := func(owner *store.Account) *store.List {
			return &store.List{ID: nextID(), AccountID: owner.ID, Title: "l", RepliesPolicy: "list", CreatedAt: testTime(1)}
		}
		// Concurrent creates cannot pass the limit together.
		const max = 5
		errs := make(chan error, 3*max)
		var wg sync.WaitGroup
		for range 3 * max {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.PutList(ctx, newList(alice), max)
			}()
		}
		wg.Wait()
		close(errs)
		var ok, limited int
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrLimit):
				limited++
			default:
				t.Errorf("PutList: %v, want nil or ErrLimit", err)
			}
		}
		if ok != max || limited != 2*max {
			t.Errorf("%d created and %d refused, want %d and %d", ok, limited, max, 2*max)
		}
		lists, err := s.GetListsByAccountID(ctx, alice.ID)
		mustNot(t, err, "GetListsByAccountID")
		if len(lists) != max {
			t.Errorf("alice owns %d lists, want %d", len(lists), max)
		}
		// The limit is per owner, and deleting makes room.
		mustNot(t, s.PutList(ctx, newList(bob), max), "PutList bob's")
		mustNot(t, s.DeleteListByID(ctx, lists[0].ID), "DeleteListByID")
		mustNot(t, s.PutList(ctx, newList(alice), max), "PutList after a delete")
		if err := s.PutList(ctx, newList(alice), max); !errors.Is(err, store.ErrLimit) {
			t.Errorf("PutList past the limit again: %v, want ErrLimit", err)
		}
	})

	t.Run("UnfollowAndBlockLeaveLists", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me, x, y, z := putAccount(t, s, "me"), putAccount(t, s, "x"), putAccount(t, s, "y"), putAccount(t, s, "z")
		for _, f := range []*store.Follow{newFollow(me, x), newFollow(me, y), newFollow(me, z), newFollow(z, x), newFollow(y, me)} {
			mustNot(t, s.PutFollow(ctx, f), "PutFollow")
		}
		mine := &store.List{ID: nextID(), AccountID: me.ID, Title: "mine", RepliesPolicy: "list", CreatedAt: testTime(1)}
		zs := &store.List{ID: nextID(), AccountID: z.ID, Title: "z's", RepliesPolicy: "list", CreatedAt: testTime(2)}
		ys := &store.List{ID: nextID(), AccountID: y.ID, Title: "y's", RepliesPolicy: "list", CreatedAt: testTime(3)}
		for _, l := range []*store.List{mine, zs, ys} {
			mustNot(t, s.PutList(ctx, l, 50), "PutList")
		}
		mustNot(t, s.PutListAccounts(ctx, mine.ID, []int64{x.ID, y.ID, z.ID}), "PutListAccounts mine")
		mustNot(t, s.PutListAccounts(ctx, zs.ID, []int64{x.ID}), "PutListAccounts z's")
		mustNot(t, s.PutListAccounts(ctx, ys.ID, []int64{me.ID}), "PutListAccounts y's")
		members := func(l *store.List) []int64 {
			t.Helper()
			ids, err := s.ListListAccountIDs(ctx, l.ID, everything)
			mustNot(t, err, "ListListAccountIDs "+l.Title)
			slices.Sort(ids)
			return ids
		}

		// Unfollowing x takes x out of my lists only: z still follows x.
		mustNot(t, s.DeleteFollow(ctx, me.ID, x.ID), "DeleteFollow me→x")
		checkIDs(t, "my list after unfollowing x", members(mine), sortedIDs(y, z))
		checkIDs(t, "z's list after I unfollow x", members(zs), sortedIDs(x))
		// Failing to unfollow changes nothing.
		mustBeErrNotFound(t, s.DeleteFollow(ctx, x.ID, me.ID), "DeleteFollow x→me (no such edge)")
		checkIDs(t, "my list after a failed unfollow", members(mine), sortedIDs(y, z))

		// A block severs both ways, and so leaves both owners' lists.
		mustNot(t, s.PutBlock(ctx, newBlock(me, y)), "PutBlock me→y")
		checkIDs(t, "my list after blocking y", members(mine), sortedIDs(z))
		checkIDs(t, "y's list after I block y", members(ys), nil)
	})

	t.Run("CRUDAndMembers", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		l := &store.List{ID: nextID(), AccountID: alice.ID, Title: "friends", RepliesPolicy: "list", CreatedAt: testTime(1)}
		mustNot(t, s.PutList(ctx, l, 50), "PutList")
		other := &store.List{ID: nextID(), AccountID: bob.ID, Title: "bob's", RepliesPolicy: "none", Exclusive: true, CreatedAt: testTime(2)}
		mustNot(t, s.PutList(ctx, other, 50), "PutList other")

		got, err := s.GetListByID(ctx, l.ID)
		mustNot(t, err, "GetListByID")
		checkTime(t, "List.CreatedAt", got.CreatedAt, l.CreatedAt)
		got.CreatedAt = l.CreatedAt
		if *got != *l {
			t.Errorf("list = %+v, want %+v", got, l)
		}
		l.Title, l.RepliesPolicy, l.Exclusive = "close friends", "followed", true
		mustNot(t, s.UpdateList(ctx, l), "UpdateList")
		mine, err := s.GetListsByAccountID(ctx, alice.ID)
		mustNot(t, err, "GetListsByAccountID")
		if len(mine) != 1 || mine[0].Title != "close friends" || !mine[0].Exclusive || mine[0].RepliesPolicy != "followed" {
			t.Errorf("alice's lists = %+v", mine)
		}
		mustBeErrNotFound(t, s.UpdateList(ctx, &store.List{ID: nextID(), Title: "x", RepliesPolicy: "list"}), "UpdateList missing")

		mustNot(t, s.PutListAccounts(ctx, l.ID, []int64{bob.ID, carol.ID}), "PutListAccounts")
		mustNot(t, s.PutListAccounts(ctx, l.ID, []int64{bob.ID}), "PutListAccounts again")
		mustNot(t, s.PutListAccounts(ctx, other.ID, []int64{carol.ID}), "PutListAccounts other")
		members, err := s.ListListAccountIDs(ctx, l.ID, everything)
		mustNot(t, err, "ListListAccountIDs")
		want := []int64{bob.ID, carol.ID}
		slices.Sort(want)
		slices.Reverse(want)
		if !slices.Equal(members, want) {
			t.Errorf("members = %v, want %v", members, want)
		}
		page, err := s.ListListAccountIDs(ctx, l.ID, store.Page{Limit: 1, MaxID: want[0]})
		mustNot(t, err, "ListListAccountIDs paged")
		if !slices.Equal(page, want[1:]) {
			t.Errorf("members below %d = %v, want %v", want[0], page, want[1:])
		}
		containing, err := s.GetListsByMember(ctx, carol.ID)
		mustNot(t, err, "GetListsByMember")
		if len(containing) != 2 {
			t.Errorf("lists containing carol = %d, want 2", len(containing))
		}

		mustNot(t, s.DeleteListAccounts(ctx, l.ID, []int64{carol.ID, alice.ID}), "DeleteListAccounts")
		members, err = s.ListListAccountIDs(ctx, l.ID, everything)
		mustNot(t, err, "ListListAccountIDs after removal")
		if !slices.Equal(members, []int64{bob.ID}) {
			t.Errorf("members after removal = %v, want [%d]", members, bob.ID)
		}
		mustNot(t, s.DeleteListByID(ctx, l.ID), "DeleteListByID")
		mustBeErrNotFound(t, s.DeleteListByID(ctx, l.ID), "DeleteListByID twice")
		_, err = s.GetListByID(ctx, l.ID)
		mustBeErrNotFound(t, err, "GetListByID after delete")
		containing, err = s.GetListsByMember(ctx, bob.ID)
		mustNot(t, err, "GetListsByMember after delete")
		if len(containing) != 0 {
			t.Errorf("a deleted list still contains bob: %+v", containing)
		}
	})
}
