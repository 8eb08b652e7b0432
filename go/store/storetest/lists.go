package storetest

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseLists(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("CRUDAndMembers", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		l := &store.List{ID: nextID(), AccountID: alice.ID, Title: "friends", RepliesPolicy: "list", CreatedAt: testTime(1)}
		mustNot(t, s.PutList(ctx, l), "PutList")
		other := &store.List{ID: nextID(), AccountID: bob.ID, Title: "bob's", RepliesPolicy: "none", Exclusive: true, CreatedAt: testTime(2)}
		mustNot(t, s.PutList(ctx, other), "PutList other")

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
