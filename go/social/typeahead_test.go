package social

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func accountIDs(accts []*store.Account) []int64 {
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	return ids
}

// TestShortPrefixTypeahead: a one- or two-letter prefix is served from a
// shared ranking, which gives the store's order and pages, applies each
// viewer's blocks, never serves a suspended account, goes to the store for
// a page deeper than it keeps, and is at most typeaheadTTL old.
func TestShortPrefixTypeahead(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, st := newService(t, Deps{Now: clock.Now}, Config{})
	viewer := mustAccount(t, s, "viewer")
	for i := range typeaheadDepth + 5 {
		mustAccount(t, s, fmt.Sprintf("p%03d", i))
	}
	search := func(v *store.Account, q string, limit, offset int) []int64 {
		t.Helper()
		got, err := s.SearchAccounts(ctx, v, AccountSearchInput{Query: q, Limit: limit, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		return accountIDs(got)
	}
	fromStore := func(q string, limit, offset int, exclude ...int64) []int64 {
		t.Helper()
		got, err := st.SearchAccounts(ctx, store.AccountSearch{Query: q, Limit: limit, Offset: offset, ExcludeIDs: exclude})
		if err != nil {
			t.Fatal(err)
		}
		return accountIDs(got)
	}

	for _, page := range []struct {
		q, name       string
		limit, offset int
	}{
		{"p", "first page", 5, 0},
		{"P", "upper case", 5, 3},
		{"p0", "two letters", 40, 60},
		{"p", "deeper than kept", 10, typeaheadDepth - 3},
	} {
		if got, want := search(nil, page.q, page.limit, page.offset), fromStore(page.q, page.limit, page.offset); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want the store's %v", page.name, got, want)
		}
	}

	top := fromStore("p", 3, 0)
	if _, err := s.Block(ctx, viewer, top[1]); err != nil {
		t.Fatal(err)
	}
	if got, want := search(viewer, "p", 3, 0), fromStore("p", 3, 0, top[1]); !slices.Equal(got, want) || slices.Contains(got, top[1]) {
		t.Errorf("viewer blocking %d: %v, want %v", top[1], got, want)
	}
	if got := search(nil, "p", 3, 0); !slices.Equal(got, top) {
		t.Errorf("anonymous after the block: %v, want %v", got, top)
	}

	if _, err := s.AdminAccountAction(ctx, "test", top[0], AccountActionInput{Type: ActionSuspend}); err != nil {
		t.Fatal(err)
	}
	if got := search(nil, "p", 3, 0); slices.Contains(got, top[0]) {
		t.Errorf("suspended %d still served from the ranking: %v", top[0], got)
	}

	exact := mustAccount(t, s, "p") // an exact username ranks first
	if got := search(nil, "p", 3, 0); slices.Contains(got, exact.ID) {
		t.Errorf("ranking recomputed before its TTL: %v holds the new account", got)
	}
	if got := search(nil, "p0", 3, 0); slices.Contains(got, exact.ID) {
		t.Errorf(`"p0" matched "p": %v`, got)
	}
	clock.Advance(typeaheadTTL)
	if got := search(nil, "p", 3, 0); len(got) == 0 || got[0] != exact.ID {
		t.Errorf("after the TTL: %v, want %d first", got, exact.ID)
	}
	if got := search(nil, "p00", 3, 0); !slices.Equal(got, fromStore("p00", 3, 0)) {
		t.Errorf("three letters: %v, want the store's", got)
	}
}

// TestTypeaheadCacheBounded: past maxTypeaheadPrefixes short prefixes the
// cache grows no more, and longer prefixes never enter it.
func TestTypeaheadCacheBounded(t *testing.T) {
	var c typeaheadCache
	if c.entry("abc") != nil {
		t.Fatal("a three-letter prefix was cached")
	}
	for i := range maxTypeaheadPrefixes {
		if c.entry(string([]rune{rune(0x4e00 + i/64), rune(0x4e00 + i%64)})) == nil {
			t.Fatalf("entry %d refused below the bound", i)
		}
	}
	if c.entry("zz") != nil || len(c.m) != maxTypeaheadPrefixes {
		t.Fatalf("cache grew past its bound: %d entries", len(c.m))
	}
	if c.entry(string([]rune{0x4e00, 0x4e00})) == nil {
		t.Fatal("a cached prefix is no longer served when full")
	}
}
