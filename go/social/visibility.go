package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// canView is THE visibility rule. Every read path (single status, timelines,
// search) goes through it, so a rule changes in one place.
//
//   - public and unlisted: everyone, including anonymous viewers (unlisted
//     only stays out of public timelines, which select by visibility);
//   - private: the author and the author's followers;
//   - direct: the author (mentions arrive with the full status model).
//
// viewerID is 0 for an anonymous viewer; follows reports whether the viewer
// follows the author.
func canView(viewerID int64, s *store.Status, follows bool) bool {
	if viewerID != 0 && viewerID == s.AccountID {
		return true
	}
	switch s.Visibility {
	case store.VisibilityPublic, store.VisibilityUnlisted:
		return true
	case store.VisibilityPrivate:
		return viewerID != 0 && follows
	default:
		return false
	}
}

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
)

// filterVisible keeps the statuses viewer may see on path, in order. It
// loads the viewer's followees once, only if a private status needs it.
func (s *Service) filterVisible(ctx context.Context, viewer *store.Account, sts []*store.Status, path readPath) ([]*store.Status, error) {
	_ = path // blocks and mutes (per path) arrive with the relationship model
	var viewerID int64
	if viewer != nil {
		viewerID = viewer.ID
	}
	var following map[int64]bool
	out := sts[:0:0]
	for _, st := range sts {
		if st.Visibility == store.VisibilityPrivate && viewerID != 0 && following == nil {
			ids, err := s.store.GetFollowingIDs(ctx, viewerID)
			if err != nil {
				return nil, internal("social.filterVisible", err)
			}
			following = make(map[int64]bool, len(ids))
			for _, id := range ids {
				following[id] = true
			}
		}
		if canView(viewerID, st, following[st.AccountID]) {
			out = append(out, st)
		}
	}
	return out, nil
}

// GetStatus returns a status if viewer (nil when anonymous) may see it. A
// status the viewer may not see is reported as not found, so its existence
// does not leak.
func (s *Service) GetStatus(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.GetStatus"
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	vis, err := s.filterVisible(ctx, viewer, []*store.Status{st}, readDirect)
	if err != nil {
		return nil, err
	}
	if len(vis) == 0 {
		return nil, notFound(op, "Record not found")
	}
	return st, nil
}
