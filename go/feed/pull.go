package feed

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// Reader is the part of the store the pull strategy reads.
type Reader interface {
	GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error)
	GetReblogsHiddenIDs(ctx context.Context, accountID int64) ([]int64, error)
	ListStatuses(ctx context.Context, q store.StatusQuery) ([]*store.Status, error)
}

// Pull assembles home timelines at read time.
type Pull struct {
	store Reader
}

// NewPull returns a pull strategy reading from st.
func NewPull(st Reader) *Pull { return &Pull{store: st} }

// followeeVisibilities are what a follower sees of a followee at home.
var followeeVisibilities = []store.Visibility{
	store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate,
}

// ownVisibilities: authors see all their own statuses at home.
var ownVisibilities = []store.Visibility{
	store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect,
}

// Home returns the page of viewerID's home timeline, newest first: the
// viewer's own statuses merged with the followees', as Mastodon's fan-out
// fills a home feed: a followee's public, unlisted and private statuses,
// its direct statuses that mention the viewer, and its reblogs unless the
// viewer follows it with show_reblogs off. Two indexed queries (followees,
// self) are merged rather than one query with an OR, so each can use the
// (account_id, id) index. The visibility rule still applies afterwards
// (social); this only chooses the candidates, so that pages stay full.
func (p *Pull) Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	followees, err := p.store.GetFollowingIDs(ctx, viewerID)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees: %w", viewerID, err)
	}
	own, err := p.store.ListStatuses(ctx, store.StatusQuery{
		AccountIDs: []int64{viewerID}, Visibilities: ownVisibilities, Page: page,
	})
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: own statuses: %w", viewerID, err)
	}
	if len(followees) == 0 {
		return own, nil
	}
	hidden, err := p.store.GetReblogsHiddenIDs(ctx, viewerID)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: reblogs hidden: %w", viewerID, err)
	}
	theirs, err := p.store.ListStatuses(ctx, store.StatusQuery{
		AccountIDs: followees, Visibilities: followeeVisibilities,
		DirectMentioning: viewerID, HideReblogsOf: hidden, Page: page,
	})
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees' statuses: %w", viewerID, err)
	}
	return mergePage(own, theirs, page), nil
}

// mergePage merges two newest-first lists of the same page window and cuts
// the result to the page: the newest Limit entries, or with MinID the Limit
// entries closest above MinID (the oldest ones of the merge).
func mergePage(a, b []*store.Status, page store.Page) []*store.Status {
	merged := make([]*store.Status, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i].ID > b[j].ID) {
			merged = append(merged, a[i])
			i++
		} else {
			merged = append(merged, b[j])
			j++
		}
	}
	if len(merged) <= page.Limit {
		return merged
	}
	if page.MinID != 0 {
		return merged[len(merged)-page.Limit:]
	}
	return merged[:page.Limit]
}
