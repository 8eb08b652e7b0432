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
	// ListStatusIDs answers as ListStatuses, IDs alone (timeline rebuilds).
	ListStatusIDs(ctx context.Context, q store.StatusQuery) ([]int64, error)
	GetFollowedTagNames(ctx context.Context, accountID int64) ([]string, error)
	ListPublicTaggedStatuses(ctx context.Context, names []string, page store.Page) ([]*store.Status, error)
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
// viewer follows it with show_reblogs off; and the public statuses (not
// reblogs) carrying a hashtag the viewer follows. Separate indexed queries
// (self, followees, followed tags) are merged rather than one query with
// an OR, so each can use its index. The visibility rule still applies
// afterwards (social); this only chooses the candidates, so that pages
// stay full. A reblog repeating a status among the candidates just older
// is left out (reblogs.go).
func (p *Pull) Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return withoutRepeatedReblogs(page, func(page store.Page) ([]*store.Status, error) {
		return p.home(ctx, viewerID, page)
	})
}

// NewestHome is Home: pull builds nothing.
func (p *Pull) NewestHome(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return p.Home(ctx, viewerID, page)
}

// home returns the page of viewerID's home candidates (Home before the
// reblog de-duplication).
func (p *Pull) home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	followed, err := p.followed(ctx, viewerID, page)
	if err != nil {
		return nil, err
	}
	tagged, err := p.tagged(ctx, viewerID, page)
	if err != nil {
		return nil, err
	}
	return mergePage(followed, tagged, page), nil
}

// followed returns the page of the viewer's own statuses merged with its
// followees': what push strategies cache.
func (p *Pull) followed(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return followedBy(ctx, p, viewerID, page, p.store.ListStatuses, statusID)
}

// followedIDs is followed's page as IDs: what a cached timeline is rebuilt
// from, without reading (and allocating) each row.
func (p *Pull) followedIDs(ctx context.Context, viewerID int64, page store.Page) ([]int64, error) {
	return followedBy(ctx, p, viewerID, page, p.store.ListStatusIDs, func(id int64) int64 { return id })
}

// followedBy answers followed's queries with list (rows or IDs) and merges
// them by id.
func followedBy[T any](ctx context.Context, p *Pull, viewerID int64, page store.Page,
	list func(context.Context, store.StatusQuery) ([]T, error), id func(T) int64) ([]T, error) {
	own, err := list(ctx, store.StatusQuery{
		AccountIDs: []int64{viewerID}, Visibilities: ownVisibilities, Page: page,
	})
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: own statuses: %w", viewerID, err)
	}
	followees, err := p.store.GetFollowingIDs(ctx, viewerID)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees: %w", viewerID, err)
	}
	q, err := p.followeesQuery(ctx, viewerID, followees, page)
	if err != nil || len(q.AccountIDs) == 0 {
		return own, err
	}
	theirs, err := list(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees' statuses: %w", viewerID, err)
	}
	return merge(own, theirs, id, page), nil
}

// tagged returns the page of the public statuses carrying a tag the viewer
// follows; every strategy reads them at request time.
func (p *Pull) tagged(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	tags, err := p.store.GetFollowedTagNames(ctx, viewerID)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followed tags: %w", viewerID, err)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	tagged, err := p.store.ListPublicTaggedStatuses(ctx, tags, page)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followed tags' statuses: %w", viewerID, err)
	}
	return tagged, nil
}

// List returns the page of the statuses of members that a list shows:
// their public, unlisted and private statuses and reblogs (social filters
// replies by the list's policy, and everything by visibility). Repeated
// reblogs are left out, as at home.
func (p *Pull) List(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error) {
	return withoutRepeatedReblogs(page, func(page store.Page) ([]*store.Status, error) {
		return p.list(ctx, listID, members, page)
	})
}

// list returns the page of a list's candidates (List before the reblog
// de-duplication).
func (p *Pull) list(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error) {
	if len(members) == 0 {
		return nil, nil
	}
	sts, err := p.store.ListStatuses(ctx, listQuery(members, page))
	if err != nil {
		return nil, fmt.Errorf("feed: list %d: %w", listID, err)
	}
	return sts, nil
}

// listIDs is list's page as IDs (what a list timeline is rebuilt from).
func (p *Pull) listIDs(ctx context.Context, listID int64, members []int64, page store.Page) ([]int64, error) {
	if len(members) == 0 {
		return nil, nil
	}
	ids, err := p.store.ListStatusIDs(ctx, listQuery(members, page))
	if err != nil {
		return nil, fmt.Errorf("feed: list %d: %w", listID, err)
	}
	return ids, nil
}

func listQuery(members []int64, page store.Page) store.StatusQuery {
	return store.StatusQuery{AccountIDs: members, Visibilities: followeeVisibilities, Page: page}
}

// statusesOf returns the page of the statuses of followees (accounts
// viewerID follows) that its home shows.
func (p *Pull) statusesOf(ctx context.Context, viewerID int64, followees []int64, page store.Page) ([]*store.Status, error) {
	q, err := p.followeesQuery(ctx, viewerID, followees, page)
	if err != nil || len(q.AccountIDs) == 0 {
		return nil, err
	}
	theirs, err := p.store.ListStatuses(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees' statuses: %w", viewerID, err)
	}
	return theirs, nil
}

// followeesQuery is the query of the page of followees' statuses that
// viewerID's home shows; no AccountIDs when it follows no one.
func (p *Pull) followeesQuery(ctx context.Context, viewerID int64, followees []int64, page store.Page) (store.StatusQuery, error) {
	if len(followees) == 0 {
		return store.StatusQuery{}, nil
	}
	hidden, err := p.store.GetReblogsHiddenIDs(ctx, viewerID)
	if err != nil {
		return store.StatusQuery{}, fmt.Errorf("feed: home %d: reblogs hidden: %w", viewerID, err)
	}
	return store.StatusQuery{
		AccountIDs: followees, Visibilities: followeeVisibilities,
		DirectMentioning: viewerID, HideReblogsOf: hidden, Page: page,
	}, nil
}

// mergePage merges two newest-first lists of the same page window, a
// status in both once (a followee's status may carry a followed tag), and
// cuts the result to the page: the newest Limit entries, or with MinID the
// Limit entries closest above MinID (the oldest ones of the merge).
func mergePage(a, b []*store.Status, page store.Page) []*store.Status {
	return merge(a, b, statusID, page)
}

func statusID(s *store.Status) int64 { return s.ID }

// merge is mergePage for entries (statuses or IDs) whose ID is id.
func merge[T any](a, b []T, id func(T) int64, page store.Page) []T {
	merged := make([]T, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && id(a[i]) > id(b[j])):
			merged = append(merged, a[i])
			i++
		case i < len(a) && id(a[i]) == id(b[j]):
			merged = append(merged, a[i])
			i, j = i+1, j+1
		default:
			merged = append(merged, b[j])
			j++
		}
	}
	return cutToPage(merged, page)
}

// cutToPage cuts s, newest first, to page: its newest Limit entries, or
// with MinID the Limit entries closest above MinID (its oldest ones).
func cutToPage[T any](s []T, page store.Page) []T {
	if len(s) <= page.Limit {
		return s
	}
	if page.MinID != 0 {
		return s[len(s)-page.Limit:]
	}
	return s[:page.Limit]
}
