package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseProfiles(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("Notes", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		mustNot(t, s.PutAccountNote(ctx, alice.ID, bob.ID, "met at the café", testTime(1)), "PutAccountNote")
		mustNot(t, s.PutAccountNote(ctx, alice.ID, carol.ID, "first", testTime(2)), "PutAccountNote")
		mustNot(t, s.PutAccountNote(ctx, alice.ID, carol.ID, "second", testTime(3)), "PutAccountNote replaces")
		mustNot(t, s.PutAccountNote(ctx, bob.ID, alice.ID, "bob's own note", testTime(4)), "PutAccountNote bob")
		notes, err := s.GetAccountNotes(ctx, alice.ID, accountIDs(bob, carol, alice))
		mustNot(t, err, "GetAccountNotes")
		if len(notes) != 2 || notes[bob.ID] != "met at the café" || notes[carol.ID] != "second" {
			t.Errorf("alice's notes = %v", notes)
		}
		mustNot(t, s.PutAccountNote(ctx, alice.ID, bob.ID, "", testTime(5)), "PutAccountNote empty")
		mustNot(t, s.PutAccountNote(ctx, alice.ID, bob.ID, "", testTime(6)), "PutAccountNote empty twice")
		notes, err = s.GetAccountNotes(ctx, alice.ID, accountIDs(bob, carol))
		mustNot(t, err, "GetAccountNotes after clearing")
		if _, ok := notes[bob.ID]; ok || len(notes) != 1 {
			t.Errorf("notes after clearing bob's = %v", notes)
		}
		mustBeErrNotFound(t, s.PutAccountNote(ctx, alice.ID, nextID(), "ghost", testTime(7)), "PutAccountNote on a missing account")
	})

	t.Run("DomainBlocks", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		block := func(a *store.Account, domain string, n int) *store.AccountDomainBlock {
			return &store.AccountDomainBlock{ID: nextID(), AccountID: a.ID, Domain: domain, CreatedAt: testTime(n)}
		}
		first := block(alice, "spam.example", 1)
		mustNot(t, s.PutAccountDomainBlock(ctx, first, 2), "PutAccountDomainBlock")
		mustNot(t, s.PutAccountDomainBlock(ctx, block(alice, "xn--bcher-kva.example", 2), 2), "PutAccountDomainBlock")
		mustBeErrConflict(t, s.PutAccountDomainBlock(ctx, block(alice, "spam.example", 3), 2), "PutAccountDomainBlock twice")
		if err := s.PutAccountDomainBlock(ctx, block(alice, "third.example", 4), 2); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("third domain with max 2: %v, want ErrLimit", err)
		}
		mustNot(t, s.PutAccountDomainBlock(ctx, block(bob, "spam.example", 5), 2), "PutAccountDomainBlock bob")
		got, err := s.ListAccountDomainBlocks(ctx, alice.ID, store.Page{Limit: 10})
		mustNot(t, err, "ListAccountDomainBlocks")
		if len(got) != 2 || got[0].Domain != "xn--bcher-kva.example" || got[1].Domain != "spam.example" ||
			got[1].ID != first.ID || got[1].AccountID != alice.ID {
			t.Fatalf("alice's domain blocks = %+v, want newest first", got)
		}
		checkTime(t, "AccountDomainBlock.CreatedAt", got[1].CreatedAt, first.CreatedAt)
		page, err := s.ListAccountDomainBlocks(ctx, alice.ID, store.Page{Limit: 1, SinceID: first.ID})
		mustNot(t, err, "ListAccountDomainBlocks since")
		if len(page) != 1 || page[0].Domain != "xn--bcher-kva.example" {
			t.Errorf("blocks since the first = %+v", page)
		}
		mustNot(t, s.DeleteAccountDomainBlock(ctx, alice.ID, "spam.example"), "DeleteAccountDomainBlock")
		mustBeErrNotFound(t, s.DeleteAccountDomainBlock(ctx, alice.ID, "spam.example"), "DeleteAccountDomainBlock twice")
		mustBeErrNotFound(t, s.PutAccountDomainBlock(ctx, &store.AccountDomainBlock{ID: nextID(), AccountID: nextID(),
			Domain: "x.example", CreatedAt: testTime(6)}, 2), "PutAccountDomainBlock by a missing account")
	})

	t.Run("FamiliarFollowers", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me := putAccount(t, s, "me")
		f1, f2, f3, stranger := putAccount(t, s, "f1"), putAccount(t, s, "f2"), putAccount(t, s, "f3"), putAccount(t, s, "stranger")
		x, y, z := putAccount(t, s, "x"), putAccount(t, s, "y"), putAccount(t, s, "z")
		follow := func(a, b *store.Account) { mustNot(t, s.PutFollow(ctx, newFollow(a, b)), "PutFollow") }
		for _, f := range []*store.Account{f1, f2, f3} {
			follow(me, f)
		}
		follow(f1, x)
		follow(stranger, x)
		follow(f3, x)
		follow(f2, x)
		follow(f2, y)
		follow(me, z) // me follows z, but no one me follows does
		got, err := s.ListFamiliarFollowers(ctx, me.ID, accountIDs(x, y, z), 2)
		mustNot(t, err, "ListFamiliarFollowers")
		if len(got) != 2 {
			t.Fatalf("familiar followers = %v, want entries for x and y only", got)
		}
		checkIDs(t, "x's familiar followers (newest follow first, 2)", got[x.ID], accountIDs(f2, f3))
		checkIDs(t, "y's familiar followers", got[y.ID], accountIDs(f2))
	})

	t.Run("ListsByAccountAndMember", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		list := func(owner *store.Account, members ...*store.Account) *store.List {
			l := &store.List{ID: nextID(), AccountID: owner.ID, Title: "l", RepliesPolicy: "list", CreatedAt: testTime(0)}
			mustNot(t, s.PutList(ctx, l, 50), "PutList")
			mustNot(t, s.PutListAccounts(ctx, l.ID, accountIDs(members...)), "PutListAccounts")
			return l
		}
		a1 := list(alice, bob, carol)
		list(alice, carol)
		a3 := list(alice, bob)
		list(carol, bob)
		got, err := s.GetListsByAccountAndMember(ctx, alice.ID, bob.ID)
		mustNot(t, err, "GetListsByAccountAndMember")
		ids := make([]int64, len(got))
		for i, l := range got {
			ids[i] = l.ID
		}
		if !slices.Equal(ids, []int64{a1.ID, a3.ID}) {
			t.Errorf("alice's lists holding bob = %v, want %v", ids, []int64{a1.ID, a3.ID})
		}
	})
}
