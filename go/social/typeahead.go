package social

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// A one- or two-letter prefix matches a large share of all accounts (one
// letter: ~4,000 of 100,000), and ranking them by followers reads that whole
// range of the prefix index on every keystroke, ~10 ms at 100k accounts
// against ~1 ms for longer prefixes. Those few prefixes are what every
// typeahead starts with, so their ranking is computed at most once per
// typeaheadTTL and shared.
//
// Only the ranking (which accounts, in which order) can be up to a TTL old:
// an account created, renamed or unsuspended within it may be missing from
// a short prefix until then, as from a search engine's index. The accounts
// themselves are read fresh for every request, blocks are
// applied per viewer, and the account rule (visibleAccounts) still has the
// last word, so a suspension is never served from here.
const (
	shortPrefixRunes = 2
	typeaheadTTL     = 30 * time.Second
	// typeaheadDepth is how many ranked matches a short prefix keeps: a page
	// deeper than that (after the viewer's blocks) goes to the store.
	typeaheadDepth = 200
	// maxTypeaheadPrefixes bounds the cache: past it, short prefixes are
	// searched in the store as longer ones are (a caller cycling through
	// every one- and two-rune string cannot grow it).
	maxTypeaheadPrefixes = 4096
)

// typeaheadCache holds the ranked account IDs of short prefixes, by
// lower-cased prefix.
type typeaheadCache struct {
	mu sync.Mutex
	m  map[string]*cached[[]int64]
}

// entry returns the prefix's cache entry, or nil when the prefix is not
// short or the cache is full.
func (c *typeaheadCache) entry(prefix string) *cached[[]int64] {
	if utf8.RuneCountInString(prefix) > shortPrefixRunes {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[prefix]; ok {
		return e
	}
	if len(c.m) >= maxTypeaheadPrefixes {
		return nil
	}
	if c.m == nil {
		c.m = make(map[string]*cached[[]int64])
	}
	e := &cached[[]int64]{}
	c.m[prefix] = e
	return e
}

// shortPrefixAccounts serves a plain prefix search (no "following") from
// the shared ranking of a short prefix. ok is false when it cannot: the
// prefix is not short, or the page reaches past the kept depth.
func (s *Service) shortPrefixAccounts(ctx context.Context, q store.AccountSearch) (accts []*store.Account, ok bool, err error) {
	prefix := strings.ToLower(q.Query)
	e := s.typeahead.entry(prefix)
	if e == nil || q.FollowedBy != 0 {
		return nil, false, nil
	}
	ranked, err := e.get(ctx, s.now(), typeaheadTTL, func(ctx context.Context) ([]int64, error) {
		found, err := s.store.SearchAccounts(ctx, store.AccountSearch{Query: prefix, Limit: typeaheadDepth})
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(found))
		for i, a := range found {
			ids[i] = a.ID
		}
		return ids, nil
	})
	if err != nil {
		return nil, false, err
	}
	excluded := make(map[int64]bool, len(q.ExcludeIDs))
	for _, id := range q.ExcludeIDs {
		excluded[id] = true
	}
	ids := make([]int64, 0, len(ranked))
	for _, id := range ranked {
		if !excluded[id] {
			ids = append(ids, id)
		}
	}
	if len(ranked) == typeaheadDepth && len(ids) < q.Offset+q.Limit {
		return nil, false, nil // the page may hold matches below the kept depth
	}
	ids = ids[min(q.Offset, len(ids)):min(q.Offset+q.Limit, len(ids))]
	accts, err = s.accountsInOrder(ctx, ids) // without those deleted since the ranking
	if err != nil {
		return nil, false, err
	}
	return accts, true, nil
}
