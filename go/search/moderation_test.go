package search

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
)

// TestAccountSuspendedLeavesTheIndex: a suspension takes the account's
// statuses out of the index (searches stop finding them), a restart's
// rebuild and catch-up leave them out, the embedding job stores but does
// not index what it embeds for a suspended author, and lifting the
// suspension puts everything back from the stored vectors.
func TestAccountSuspendedLeavesTheIndex(t *testing.T) {
	ctx := context.Background()
	svc, st := newIndexed(t)
	ids := snowflaketest.New()
	now := time.Now().UTC().Truncate(time.Microsecond)
	spam := &store.Account{ID: snowflaketest.NextID(t, ids), Username: "spam", CreatedAt: now}
	bob := &store.Account{ID: snowflaketest.NextID(t, ids), Username: "bob", CreatedAt: now}
	for _, a := range []*store.Account{spam, bob} {
		if err := st.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	post := func(a *store.Account, text string, index bool) int64 {
		t.Helper()
		s := &store.Status{ID: snowflaketest.NextID(t, ids), AccountID: a.ID, Text: text, Visibility: store.VisibilityPublic, CreatedAt: now}
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
		if index {
			svc.StatusCreated(ctx, s)
		}
		return s.ID
	}
	spam1, spam2 := post(spam, "cheap zeppelin tickets", true), post(spam, "zeppelin rides for sale", true)
	bob1 := post(bob, "a zeppelin flew over the river", true)
	search := func(want ...int64) {
		t.Helper()
		got, err := svc.SearchStatusIDs(ctx, "zeppelin", 10)
		slices.Sort(got)
		slices.Sort(want)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("search zeppelin = %v, %v; want %v", got, err, want)
		}
	}
	search(spam1, spam2, bob1)
	moderate := func(suspend bool) {
		t.Helper()
		_, err := st.ModerateAccount(ctx, spam.ID, store.AccountModeration{Suspend: &suspend,
			Audit: &store.AdminAction{ID: snowflaketest.NextID(t, ids), CreatedAt: time.Now().UTC(), Actor: "mod", Action: "suspend"}})
		if err != nil {
			t.Fatal(err)
		}
		svc.AccountSuspended(ctx, spam.ID, suspend)
	}
	moderate(true)
	if n := svc.Index().Len(); n != 1 {
		t.Fatalf("index holds %d after the suspension, want 1 (bob's)", n)
	}
	search(bob1)
	// Catch-up reads no suspended account's vectors.
	if added, err := svc.Index().CatchUp(ctx); err != nil || added != 0 {
		t.Fatalf("catch-up after the suspension added %d, %v", added, err)
	}
	// The embedding job stores a suspended author's vector, for later,
	// without indexing it.
	spam3 := post(spam, "zeppelin lottery", false)
	var cursor int64
	if _, err := svc.embedPending(ctx, &cursor); err != nil {
		t.Fatal(err)
	}
	if vs, err := st.ListAccountStatusVectors(ctx, svc.emb.Name(), spam.ID, 0, 10); err != nil || len(vs) != 3 {
		t.Fatalf("spam's stored vectors = %d, %v; want 3", len(vs), err)
	}
	search(bob1)
	// A restart (a rebuild from the database) leaves them out too.
	restarted, _ := newIndexedOn(t, st)
	if err := restarted.Open(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n := restarted.Index().Len(); n != 1 {
		t.Fatalf("rebuilt index holds %d, want 1", n)
	}
	// Lifting the suspension restores all three, tombstones notwithstanding.
	moderate(false)
	search(spam1, spam2, spam3, bob1)
	restarted.AccountSuspended(ctx, spam.ID, false)
	if n := restarted.Index().Len(); n != 4 {
		t.Fatalf("rebuilt index holds %d after the lift, want 4", n)
	}
}
