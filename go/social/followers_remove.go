package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// RemoveFromFollowers makes targetID stop following viewer (Mastodon's
// remove_from_followers): the follow goes as if targetID had unfollowed,
// with what unfollowing takes (viewer leaves targetID's lists), and a
// pending follow request of targetID's is left for viewer to answer.
// Not following already is no error.
func (s *Service) RemoveFromFollowers(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteFollow(ctx, targetID, viewer.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal("social.RemoveFromFollowers", err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}
