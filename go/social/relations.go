package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// loadRelations fills vc.blocked (accounts the viewer blocks or is blocked
// by), vc.muted (accounts the viewer mutes, mute not expired) and
// vc.mutedNotifications (those of the mutes that cover notifications) with
// three queries per batch. Both lists are the viewer's whole set rather than
// restricted to the batch's authors: they are small, and the same answer
// then serves reblogged and mentioned accounts as well.
func (s *Service) loadRelations(ctx context.Context, vc *viewerContext, _ []*store.Status) error {
	const op = "social.loadRelations"
	blocked, err := s.store.GetBlockedAndBlockingIDs(ctx, vc.id)
	if err != nil {
		return internal(op, err)
	}
	muted, err := s.store.GetMutedIDs(ctx, vc.id, s.nowUTC())
	if err != nil {
		return internal(op, err)
	}
	mutedNotifications, err := s.store.GetNotificationMutedIDs(ctx, vc.id, s.nowUTC())
	if err != nil {
		return internal(op, err)
	}
	vc.blocked, vc.muted, vc.mutedNotifications = idSet(blocked), idSet(muted), idSet(mutedNotifications)
	return nil
}
