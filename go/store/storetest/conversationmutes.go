package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseConversationMutes(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("AThreadIsOneConversation", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		reply := func(author *store.Account, parent *store.Status, n int) *store.Status {
			st := newStatus(author, n)
			st.InReplyToID, st.InReplyToAccountID = parent.ID, parent.AccountID
			putStatusW(t, s, &store.StatusWrite{Status: st})
			return st
		}
		root := putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 1)})
		r1 := reply(bob, root, 2)
		r2 := reply(alice, r1, 3)
		other := putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 4)})

		// Muting through a reply mutes the whole thread, the root included.
		mustNot(t, s.PutConversationMute(ctx, carol.ID, r2.ID, testTime(5), 10), "PutConversationMute")
		mustNot(t, s.PutConversationMute(ctx, carol.ID, root.ID, testTime(6), 10), "PutConversationMute again (same thread)")
		muted, err := mutedStatusIDs(ctx, s, carol.ID, []int64{root.ID, r1.ID, r2.ID, other.ID, nextID()})
		mustNot(t, err, "GetInteractionFlags (Muted)")
		if len(muted) != 3 || !muted[root.ID] || !muted[r1.ID] || !muted[r2.ID] {
			t.Errorf("muted statuses = %v, want the three of the thread", muted)
		}
		none, err := mutedStatusIDs(ctx, s, bob.ID, []int64{root.ID, r1.ID})
		mustNot(t, err, "GetInteractionFlags (Muted) bob")
		if len(none) != 0 {
			t.Errorf("bob muted nothing, got %v", none)
		}

		// A reply posted later, and one whose parent is gone by then, stay
		// in the thread (the conversation outlives its statuses).
		_, _, err = s.DeleteStatusByID(ctx, r1.ID)
		mustNot(t, err, "DeleteStatusByID")
		r3 := reply(bob, r2, 7)
		orphan := newStatus(bob, 8)
		orphan.InReplyToID, orphan.InReplyToAccountID = r1.ID, bob.ID // r1 is gone
		putStatusW(t, s, &store.StatusWrite{Status: orphan})
		muters, err := s.GetConversationMuterIDs(ctx, r3.ID, accountIDs(alice, bob, carol))
		mustNot(t, err, "GetConversationMuterIDs")
		checkIDs(t, "muters of the thread", muters, []int64{carol.ID})
		muters, err = s.GetConversationMuterIDs(ctx, orphan.ID, accountIDs(alice, bob, carol))
		mustNot(t, err, "GetConversationMuterIDs of an orphan")
		checkIDs(t, "muters of a reply to a deleted status (its own conversation)", muters, nil)

		mustNot(t, s.DeleteConversationMute(ctx, carol.ID, r3.ID), "DeleteConversationMute")
		mustNot(t, s.DeleteConversationMute(ctx, carol.ID, r3.ID), "DeleteConversationMute twice")
		muters, err = s.GetConversationMuterIDs(ctx, root.ID, accountIDs(carol))
		mustNot(t, err, "GetConversationMuterIDs after unmuting")
		checkIDs(t, "muters after unmuting", muters, nil)

		mustBeErrNotFound(t, s.PutConversationMute(ctx, carol.ID, nextID(), testTime(9), 10), "PutConversationMute of a missing status")
		mustBeErrNotFound(t, s.DeleteConversationMute(ctx, carol.ID, nextID()), "DeleteConversationMute of a missing status")
		mustBeErrNotFound(t, s.PutConversationMute(ctx, nextID(), root.ID, testTime(9), 10), "PutConversationMute by a missing account")
	})

	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var sts []*store.Status
		for i := range 3 {
			sts = append(sts, putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, i)}))
		}
		mustNot(t, s.PutConversationMute(ctx, alice.ID, sts[0].ID, testTime(1), 2), "PutConversationMute")
		mustNot(t, s.PutConversationMute(ctx, alice.ID, sts[1].ID, testTime(2), 2), "PutConversationMute")
		mustNot(t, s.PutConversationMute(ctx, alice.ID, sts[1].ID, testTime(3), 2), "PutConversationMute again at the limit")
		if err := s.PutConversationMute(ctx, alice.ID, sts[2].ID, testTime(4), 2); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("third conversation with max 2: %v, want ErrLimit", err)
		}
	})
}

// mutedStatusIDs is the Muted part of GetInteractionFlags.
func mutedStatusIDs(ctx context.Context, s store.Store, accountID int64, statusIDs []int64) (map[int64]bool, error) {
	f, err := s.GetInteractionFlags(ctx, accountID, statusIDs)
	if err != nil {
		return nil, err
	}
	return f.Muted, nil
}
