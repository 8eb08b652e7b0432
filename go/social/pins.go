package social

import (
	"context"
	"errors"
	"slices"

	"github.com/starling-social/starling/go/store"
)

// MaxPinnedStatuses is how many statuses an account may pin (Mastodon's
// default, reported by the instance as accounts.max_pinned_statuses).
const MaxPinnedStatuses = 5

// pinnable reports whether the author may pin st: Mastodon pins only
// originals that are not direct (a direct status on a profile would leak).
func pinnable(st *store.Status) bool {
	return st.ReblogOfID == 0 && st.Visibility != store.VisibilityDirect
}

// PinStatus pins one of viewer's own statuses to its profile. Pinning a
// pinned status again returns it unchanged; others' statuses, reblogs and
// direct statuses cannot be pinned, and neither can a sixth one (422, with
// Mastodon's messages).
func (s *Service) PinStatus(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.PinStatus"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	switch {
	case st.AccountID != viewer.ID:
		return nil, invalid(op, "Validation failed: Someone else's post cannot be pinned")
	case st.ReblogOfID != 0:
		return nil, invalid(op, "Validation failed: A boost cannot be pinned")
	case st.Visibility == store.VisibilityDirect:
		return nil, invalid(op, "Validation failed: Private mention cannot be pinned")
	}
	pid, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	p := &store.StatusPin{ID: pid, AccountID: viewer.ID, StatusID: st.ID, CreatedAt: s.nowUTC()}
	err = s.store.PutStatusPin(ctx, p, MaxPinnedStatuses)
	switch {
	case err == nil, errors.Is(err, store.ErrConflict): // pinned already: idempotent
		return st, nil
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, "Validation failed: You have already pinned the maximum number of posts")
	case errors.Is(err, store.ErrNotFound): // deleted meanwhile
		return nil, notFound(op, "Record not found")
	default:
		return nil, internal(op, err)
	}
}

// UnpinStatus removes viewer's pin of a status it may see; unpinning a
// status that is not pinned is not an error, as in Mastodon.
func (s *Service) UnpinStatus(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.UnpinStatus"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteStatusPin(ctx, viewer.ID, st.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	return st, nil
}

// pinnedStatuses returns accountID's pinned statuses viewer may see, newest
// pin first, inside page's ID window (by status ID) and limit. There are at
// most MaxPinnedStatuses, so they are read whole.
func (s *Service) pinnedStatuses(ctx context.Context, op string, viewer *store.Account, accountID int64, page store.Page) ([]*store.Status, error) {
	pins, err := s.store.ListStatusPins(ctx, accountID)
	if err != nil {
		return nil, internal(op, err)
	}
	ids := make([]int64, 0, len(pins))
	for _, p := range pins {
		if (page.MaxID == 0 || p.StatusID < page.MaxID) && (page.SinceID == 0 || p.StatusID > page.SinceID) &&
			(page.MinID == 0 || p.StatusID > page.MinID) {
			ids = append(ids, p.StatusID)
		}
	}
	ordered, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	visible, err := s.filterVisible(ctx, viewer, ordered, readAccount)
	if err != nil {
		return nil, err
	}
	if len(visible) > page.Limit {
		visible = visible[:page.Limit]
	}
	return slices.Clip(visible), nil
}
