package feed

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/starling-social/starling/go/store"
)

// Author timelines: hybrid's merge of celebrity followees from memory.
//
// A celebrity's statuses are not fanned out, so every home read of one of
// its followers merged them from SQL: one query over the viewer's
// celebrity followees (and again for a page holding a reblog, which
// de-duplication then read twice). On the github graph that query was half of
// the server's CPU per home read. Instead, each celebrity has a cached
// timeline of its own statuses that a follower's home shows (public,
// unlisted and private ones and its reblogs; AuthorKey), kept like a home:
// written by the celebrity's fan-out, rebuilt from SQL when missing,
// bounded by the cap, shared through Redis when the timelines are. A read
// merges the pages of its celebrity followees' author timelines; the
// per-viewer part of the SQL query is applied here (reblogs the viewer
// hides) or made unnecessary (a celebrity's direct status is pushed to the
// accounts it mentions like anyone's, so it needs no merge). A page past
// an author timeline's window is read from SQL as before.

// AuthorKey is the key of an author's timeline (hybrid celebrities only).
func AuthorKey(accountID int64) Key { return Key{'a', accountID} }

// celebrityPage returns the page of the celebrities' statuses viewerID's
// home shows, from their author timelines; ok is false when a page lies
// past one's window (the caller reads SQL).
func (c *Cached) celebrityPage(ctx context.Context, viewerID int64, celebs []int64, page store.Page) (sts []*store.Status, ok bool, err error) {
	if len(celebs) == 0 {
		return nil, true, nil
	}
	var ids []int64
	for _, a := range celebs {
		k := AuthorKey(a)
		got, state, err := c.tl.Page(ctx, k, 0, page)
		if err == nil && state == Miss {
			if err = c.rebuild(ctx, k, 0, func(p store.Page) ([]int64, error) {
				return c.st.ListStatusIDs(ctx, store.StatusQuery{AccountIDs: []int64{a}, Visibilities: followeeVisibilities, Page: p})
			}); err == nil {
				got, state, err = c.tl.Page(ctx, k, 0, page)
			}
		}
		if err != nil {
			return nil, false, fmt.Errorf("feed: author timeline %d: %w", a, err)
		}
		if state != Hit {
			return nil, false, nil
		}
		ids = append(ids, got...)
	}
	if len(ids) == 0 {
		return nil, true, nil
	}
	hidden, err := c.st.GetReblogsHiddenIDs(ctx, viewerID)
	if err != nil {
		return nil, false, fmt.Errorf("feed: home %d: reblogs hidden: %w", viewerID, err)
	}
	hides := func(accountID int64) bool {
		_, hide := slices.BinarySearch(hidden, accountID)
		return hide
	}
	// Of the celebrities' pages only the page's window of their merge can
	// reach the home page, so only that is loaded, unless the viewer hides
	// a celebrity's reblogs (which of its IDs are reblogs, only loading
	// tells) or a status is gone (the page would be left short).
	want := ids
	if !slices.ContainsFunc(celebs, hides) {
		slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
		want = cutToPage(ids, page)
	}
	if sts, err = c.load(ctx, want); err == nil && len(sts) < len(want) && len(want) < len(ids) {
		sts, err = c.load(ctx, ids)
	}
	if err != nil {
		return nil, false, err
	}
	return slices.DeleteFunc(sts, func(st *store.Status) bool {
		return st.ReblogOfID != 0 && hides(st.AccountID)
	}), true, nil
}

// celebrityKeys are the author timelines among the accounts in home (a
// removed status's audience holds its author) that may hold a status.
func (c *Cached) celebrityKeys(ctx context.Context, home []int64) ([]Key, error) {
	var celebs []int64
	if c.shared != nil {
		var err error
		if celebs, err = c.shared.Celebrities(ctx, home); err != nil {
			return nil, fmt.Errorf("feed: celebrities: %w", err)
		}
	} else {
		c.mu.RLock()
		for _, id := range home {
			if c.celebs[id] {
				celebs = append(celebs, id)
			}
		}
		c.mu.RUnlock()
	}
	keys := make([]Key, len(celebs))
	for i, id := range celebs {
		keys[i] = AuthorKey(id)
	}
	return keys, nil
}
