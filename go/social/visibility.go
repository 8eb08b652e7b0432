package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// readPath names the read path asking. The rule differs by path: a mute
// hides an account from home and notifications but not from its profile or
// a status opened by link; unlisted stays out of public timelines.
type readPath uint8

const (
	readDirect        readPath = iota // one status by ID, its context
	readHome                          // the home timeline
	readPublic                        // public, local, hashtag timelines
	readAccount                       // an account's own statuses
	readNotifications                 // notifications
	readSearch                        // search results, suggestions
	readTrends                        // trending statuses
)

// viewerContext is what the visibility rule needs to know about a viewer
// for one batch of statuses. It is loaded once per batch, with one query
// per kind of fact, never one per status.
type viewerContext struct {
	id        int64          // 0 for an anonymous viewer
	following map[int64]bool // accounts the viewer follows
	blocked   map[int64]bool // accounts the viewer blocks or is blocked by (relations.go)
	muted     map[int64]bool // accounts the viewer mutes, mute not expired (relations.go)
	// mutedNotifications: those of muted whose mute also hides their
	// notifications (Mastodon's notifications=true, the default); a mute
	// with notifications=false leaves notifications alone (relations.go).
	mutedNotifications map[int64]bool
	mentioned          map[int64]bool // statuses of the batch that mention the viewer (mentions.go)
}

// canView is THE visibility rule. Every read path (single status, context,
// timelines, notifications, search, streaming) goes through it, so a rule
// changes in one place.
//
//   - authors see their own statuses everywhere;
//   - blocks hide both ways, on every path;
//   - mutes hide the muted account on home and in trends, and in
//     notifications when the mute covers notifications;
//   - public: everyone; unlisted: everyone, but not on public timelines;
//   - private: the author's followers and the accounts it mentions;
//   - direct: the accounts it mentions.
func canView(vc *viewerContext, s *store.Status, path readPath) bool {
	if vc.id != 0 && vc.id == s.AccountID {
		return true
	}
	if authorHidden(vc, s.AccountID, path) {
		return false
	}
	switch s.Visibility {
	case store.VisibilityPublic:
		return true
	case store.VisibilityUnlisted:
		return path != readPublic
	case store.VisibilityPrivate:
		return vc.id != 0 && (vc.following[s.AccountID] || vc.mentioned[s.ID])
	case store.VisibilityDirect:
		return vc.id != 0 && vc.mentioned[s.ID]
	default:
		return false
	}
}

// authorHidden is the part of the rule that depends only on the author:
// blocks hide both ways on every path; mutes hide on home and trends (as
// Mastodon's trends do), and in notifications only when the mute says so.
// Paths that rank many candidates (trends) apply it before loading
// statuses, so pages stay exact.
func authorHidden(vc *viewerContext, authorID int64, path readPath) bool {
	if vc.id != 0 && vc.id == authorID {
		return false
	}
	if vc.blocked[authorID] {
		return true
	}
	return mutedOn(vc, authorID, path)
}

// mutedOn reports whether a mute hides authorID on path.
func mutedOn(vc *viewerContext, authorID int64, path readPath) bool {
	switch path {
	case readHome, readTrends:
		return vc.muted[authorID]
	case readNotifications:
		return vc.mutedNotifications[authorID]
	default:
		return false
	}
}

// loadViewerContext gathers the facts canView needs for sts. Anonymous
// viewers need none: nothing but public and unlisted reaches them.
func (s *Service) loadViewerContext(ctx context.Context, viewer *store.Account, sts []*store.Status) (*viewerContext, error) {
	vc := &viewerContext{}
	if viewer == nil || len(sts) == 0 {
		return vc, nil
	}
	vc.id = viewer.ID
	ids, err := s.store.GetFollowingIDs(ctx, viewer.ID)
	if err != nil {
		return nil, internal("social.loadViewerContext", err)
	}
	vc.following = make(map[int64]bool, len(ids))
	for _, id := range ids {
		vc.following[id] = true
	}
	if err := s.loadRelations(ctx, vc, sts); err != nil {
		return nil, err
	}
	if err := s.loadMentions(ctx, vc, sts); err != nil {
		return nil, err
	}
	return vc, nil
}

// filterVisible keeps the statuses viewer may see on path, in order.
func (s *Service) filterVisible(ctx context.Context, viewer *store.Account, sts []*store.Status, path readPath) ([]*store.Status, error) {
	vc, err := s.loadViewerContext(ctx, viewer, sts)
	if err != nil {
		return nil, err
	}
	out := sts[:0:0]
	for _, st := range sts {
		if canView(vc, st, path) {
			out = append(out, st)
		}
	}
	return out, nil
}
