package readcache

import (
	"context"
	"slices"
	"time"
)

// GetFollowingIDs serves the accounts accountID follows from its cached
// relations: GetViewerRelations' Following is the same list, ascending,
// and is invalidated by the same writes (follows, blocks, suspensions of
// either side). Hybrid's celebrity merge asks for it on every home read of
// a viewer following a celebrity, and a viewer of the github graph follows
// up to 9,458 accounts. Only Following is copied, not the other lists, and
// a mute's expiry does not matter to it.
func (s *Store) GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	now := time.Now()
	if c, ok := s.relations.get(accountID); ok && !now.Before(c.at) {
		return slices.Clone(c.r.Following), nil
	}
	r, err := s.GetViewerRelations(ctx, accountID, now)
	if err != nil {
		return nil, err
	}
	return r.Following, nil
}

// GetReblogsHiddenIDs serves the followees whose reblogs accountID hides
// (a follow's show_reblogs), which the same merge asks for on every read;
// a follow, its update or its removal bumps the viewer.
func (s *Store) GetReblogsHiddenIDs(ctx context.Context, accountID int64) ([]int64, error) {
	if ids, ok := s.hidden.get(accountID); ok {
		return clone(ids), nil
	}
	at := s.hidden.stamp()
	ids, err := s.Store.GetReblogsHiddenIDs(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.hidden.put(accountID, clone(ids), at)
	return ids, nil
}
