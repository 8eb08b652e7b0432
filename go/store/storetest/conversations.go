package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// putDirect stores a direct status by author mentioning mentions, replying
// to parent (0 for none).
func putDirect(t *testing.T, s store.Store, author *store.Account, parent *store.Status, n int, mentions ...*store.Account) *store.Status {
	t.Helper()
	st := newStatus(author, n)
	st.Visibility = store.VisibilityDirect
	if parent != nil {
		st.InReplyToID, st.InReplyToAccountID = parent.ID, parent.AccountID
	}
	w := &store.StatusWrite{Status: st}
	for _, m := range mentions {
		w.Mentions = append(w.Mentions, m.ID)
	}
	mustNot(t, s.PutStatusWrite(t.Context(), w), "PutStatusWrite direct")
	return st
}

// conversationsOf renders accountID's conversations as
// "last:<status n>/participants/unread", newest first.
func conversationsOf(t *testing.T, s store.Store, a *store.Account, names map[int64]string) []string {
	t.Helper()
	cs, err := s.ListAccountConversations(t.Context(), a.ID, store.Page{Limit: 20})
	mustNot(t, err, "ListAccountConversations")
	out := make([]string, len(cs))
	for i, c := range cs {
		var ps []string
		for _, p := range c.ParticipantIDs {
			ps = append(ps, names[p])
		}
		out[i] = fmt.Sprintf("%s/%v/%v", names[c.LastStatusID], ps, c.Unread)
		if c.AccountID != a.ID {
			t.Errorf("conversation %d of %d lists account %d", c.ID, a.ID, c.AccountID)
		}
	}
	return out
}

func exerciseConversations(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("DirectStatusesMakeConversations", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		names := map[int64]string{alice.ID: "alice", bob.ID: "bob", carol.ID: "carol"}
		name := func(st *store.Status, n string) *store.Status { names[st.ID] = n; return st }

		d1 := name(putDirect(t, s, alice, nil, 1, bob), "d1")
		// Public statuses and reblogs make none.
		mustNot(t, s.PutStatus(ctx, newStatus(bob, 2)), "PutStatus public")
		d2 := name(putDirect(t, s, bob, d1, 3, alice), "d2")
		// Another participant set in the same thread is another
		// conversation, as in Mastodon.
		d3 := name(putDirect(t, s, bob, d2, 4, alice, carol), "d3")
		// A new thread between alice and bob is a conversation of its own.
		d4 := name(putDirect(t, s, alice, nil, 5, bob, bob), "d4")

		if got := conversationsOf(t, s, alice, names); !slices.Equal(got, []string{
			"d4/[bob]/false", "d3/[bob carol]/true", "d2/[bob]/true"}) {
			t.Errorf("alice's conversations = %v", got)
		}
		if got := conversationsOf(t, s, bob, names); !slices.Equal(got, []string{
			"d4/[alice]/true", "d3/[alice carol]/false", "d2/[alice]/false"}) {
			t.Errorf("bob's conversations = %v", got)
		}
		if got := conversationsOf(t, s, carol, names); !slices.Equal(got, []string{"d3/[alice bob]/true"}) {
			t.Errorf("carol's conversations = %v", got)
		}

		// Paging on the last status.
		page, err := s.ListAccountConversations(ctx, alice.ID, store.Page{Limit: 1, MaxID: d4.ID})
		mustNot(t, err, "ListAccountConversations page")
		if len(page) != 1 || page[0].LastStatusID != d3.ID {
			t.Errorf("page below d4 = %+v, want the d3 conversation", page)
		}
		page, err = s.ListAccountConversations(ctx, alice.ID, store.Page{Limit: 1, MinID: d2.ID})
		mustNot(t, err, "ListAccountConversations min_id")
		if len(page) != 1 || page[0].LastStatusID != d3.ID {
			t.Errorf("page just above d2 = %+v, want the d3 conversation", page)
		}

		// Read, by its owner only.
		cs, _ := s.ListAccountConversations(ctx, alice.ID, store.Page{Limit: 20})
		c := cs[1]
		mustBeErrNotFound(t, s.MarkAccountConversationRead(ctx, bob.ID, c.ID), "MarkAccountConversationRead by another account")
		mustNot(t, s.MarkAccountConversationRead(ctx, alice.ID, c.ID), "MarkAccountConversationRead")
		got, err := s.GetAccountConversation(ctx, alice.ID, c.ID)
		mustNot(t, err, "GetAccountConversation")
		if got.Unread || got.ConversationID != d1.ID || got.LastStatusID != d3.ID {
			t.Errorf("after reading: %+v (conversation %d)", got, d1.ID)
		}
		mustBeErrNotFound(t, errOnly(s.GetAccountConversation(ctx, bob.ID, c.ID)), "GetAccountConversation by another account")
		byStatus, err := s.GetAccountConversationByStatus(ctx, alice.ID, d3.ID)
		mustNot(t, err, "GetAccountConversationByStatus")
		if byStatus.ID != c.ID {
			t.Errorf("alice's conversation holding d3 = %d, want %d", byStatus.ID, c.ID)
		}
		if byStatus, err = s.GetAccountConversationByStatus(ctx, bob.ID, d3.ID); err != nil || byStatus.AccountID != bob.ID {
			t.Errorf("bob's conversation holding d3 = %+v, %v", byStatus, err)
		}
		mustBeErrNotFound(t, errOnly(s.GetAccountConversationByStatus(ctx, carol.ID, d1.ID)), "GetAccountConversationByStatus of a status not in it")
		// A new status in it makes it unread again.
		name(putDirect(t, s, carol, d3, 6, alice, bob), "d5")
		if got := conversationsOf(t, s, alice, names); got[0] != "d5/[bob carol]/true" {
			t.Errorf("after carol's reply alice's conversations = %v", got)
		}

		// Deleting for one account leaves the others'; a later status
		// starts it again.
		mustBeErrNotFound(t, s.DeleteAccountConversation(ctx, bob.ID, c.ID), "DeleteAccountConversation by another account")
		mustNot(t, s.DeleteAccountConversation(ctx, alice.ID, c.ID), "DeleteAccountConversation")
		mustBeErrNotFound(t, s.DeleteAccountConversation(ctx, alice.ID, c.ID), "DeleteAccountConversation twice")
		if got := conversationsOf(t, s, carol, names); len(got) != 1 {
			t.Errorf("carol's conversations after alice deleted hers = %v", got)
		}
		name(putDirect(t, s, bob, d3, 7, alice, carol), "d6")
		if got := conversationsOf(t, s, alice, names); !slices.Equal(got, []string{
			"d6/[bob carol]/true", "d4/[bob]/false", "d2/[bob]/true"}) {
			t.Errorf("after bob's new reply alice's conversations = %v", got)
		}
	})

	t.Run("DeletingStatusesMovesTheLastStatus", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		names := map[int64]string{alice.ID: "alice", bob.ID: "bob"}
		d1 := putDirect(t, s, alice, nil, 1, bob)
		d2 := putDirect(t, s, bob, d1, 2, alice)
		names[d1.ID], names[d2.ID] = "d1", "d2"
		_, _, err := s.DeleteStatusByID(ctx, d2.ID)
		mustNot(t, err, "DeleteStatusByID d2")
		if got := conversationsOf(t, s, alice, names); !slices.Equal(got, []string{"d1/[bob]/true"}) {
			t.Errorf("alice's conversations after deleting the last status = %v", got)
		}
		_, _, err = s.DeleteStatusByID(ctx, d1.ID)
		mustNot(t, err, "DeleteStatusByID d1")
		for _, a := range []*store.Account{alice, bob} {
			if got := conversationsOf(t, s, a, names); len(got) != 0 {
				t.Errorf("%s's conversations after deleting every status = %v", a.Username, got)
			}
		}
	})
}
