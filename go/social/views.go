package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// StatusView is a status with everything a client renders beside it, for
// one viewer: author, the reblogged original, mentions, tags and the
// viewer's own interactions.
type StatusView struct {
	Status     *store.Status
	Author     *store.Account
	Reblog     *StatusView // the original, for a reblog
	Mentions   []*store.Account
	Tags       []string
	Media      []*store.MediaAttachment // in the author's order
	Poll       *PollView                // nil when the status has none
	Favourited bool
	Reblogged  bool
	Bookmarked bool
	Muted      bool // the viewer mutes the status's conversation
	// Pinned is set for the viewer's own pinnable statuses (Pinnable);
	// Mastodon sends "pinned" only for those.
	Pinnable bool
	Pinned   bool
	// Filtered are the viewer's filters matching the status, set by
	// ApplyFilters.
	Filtered []FilterMatch
}

// ViewStatuses hydrates a batch of statuses the viewer (nil when anonymous)
// may see, in order, with a fixed number of queries whatever the batch
// size: originals, accounts, mentions, tags, media, polls (three), and one
// per viewer flag (favourited, reblogged, bookmarked, pinned, muted
// conversation).
// Statuses whose author (or original) vanished are dropped.
//
// It renders and does not judge: sts must come from a read path, which put
// them through canView, and canView passes a reblog only when the viewer
// may also see its original, so the original rendered inside it is one the
// viewer may see.
func (s *Service) ViewStatuses(ctx context.Context, viewer *store.Account, sts []*store.Status) ([]*StatusView, error) {
	const op = "social.ViewStatuses"
	originals, err := s.reblogOriginals(ctx, sts)
	if err != nil {
		return nil, err
	}
	all := withOriginals(sts, originals)
	ids := make([]int64, len(all))
	for i, st := range all {
		ids[i] = st.ID
	}
	mentions, tags, err := s.statusMentionsAndTags(ctx, all)
	if err != nil {
		return nil, internal(op, err)
	}
	media, err := s.store.GetStatusMedia(ctx, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	polls, err := s.pollViews(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	acctIDs := make([]int64, 0, len(all))
	for _, st := range all {
		acctIDs = append(acctIDs, st.AccountID)
		acctIDs = append(acctIDs, mentions[st.ID]...)
	}
	accounts, err := s.AccountsByIDs(ctx, acctIDs)
	if err != nil {
		return nil, err
	}
	flags := &store.InteractionFlags{}
	var pinned map[int64]bool
	if viewer != nil {
		if flags, err = s.store.GetInteractionFlags(ctx, viewer.ID, ids); err != nil {
			return nil, internal(op, err)
		}
		// Only the viewer's own statuses can be pinned by the viewer, and
		// "pinned" is rendered only for those (Pinnable): a page without
		// them (most of a home timeline) needs no query.
		var own []int64
		for _, st := range all {
			if st.AccountID == viewer.ID && pinnable(st) {
				own = append(own, st.ID)
			}
		}
		if len(own) > 0 {
			if pinned, err = s.store.GetPinnedStatusIDs(ctx, viewer.ID, own); err != nil {
				return nil, internal(op, err)
			}
		}
	}
	// The views and their mention lists are carved out of two slabs: a
	// view and its mentions each were the most allocated objects of a page.
	// A slab outgrown is replaced, and the views already made keep the old.
	nviews, nmentions := len(sts), 0
	for _, st := range sts {
		if st.ReblogOfID != 0 {
			nviews++
		}
	}
	for _, st := range all {
		nmentions += len(mentions[st.ID])
	}
	views := make([]StatusView, 0, nviews)
	mentioned := make([]*store.Account, 0, nmentions)
	view := func(st *store.Status) *StatusView {
		a, ok := accounts[st.AccountID]
		if !ok {
			return nil
		}
		views = append(views, StatusView{Status: st, Author: a, Tags: tags[st.ID], Media: media[st.ID], Poll: polls[st.ID],
			Favourited: flags.Favourited[st.ID], Reblogged: flags.Reblogged[st.ID], Bookmarked: flags.Bookmarked[st.ID],
			Muted:    flags.Muted[st.ID],
			Pinnable: viewer != nil && viewer.ID == st.AccountID && pinnable(st), Pinned: pinned[st.ID]})
		v := &views[len(views)-1]
		from := len(mentioned)
		for _, id := range mentions[st.ID] {
			if m, ok := accounts[id]; ok {
				mentioned = append(mentioned, m)
			}
		}
		if len(mentioned) > from {
			// Capped, so a caller appending to one list cannot write into the next.
			v.Mentions = mentioned[from:len(mentioned):len(mentioned)]
		}
		return v
	}
	out := make([]*StatusView, 0, len(sts))
	for _, st := range sts {
		v := view(st)
		if v == nil {
			continue
		}
		if st.ReblogOfID != 0 {
			o, ok := originals[st.ReblogOfID]
			if !ok {
				continue
			}
			if v.Reblog = view(o); v.Reblog == nil {
				continue
			}
		}
		out = append(out, v)
	}
	return out, nil
}
