package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// loadRelations fills vc.following, vc.blocked (accounts the viewer
// blocks or is blocked by), vc.muted (accounts the viewer mutes, mute not
// expired), vc.mutedNotifications (those of the mutes that cover
// notifications) and the instance's suspended and silenced accounts (for
// vc.id 0, an anonymous viewer, only those) with one query per batch, read afresh every time so a
// new follow, block or mute applies on the very next read in every
// process. The lists are the viewer's whole sets rather than restricted
// to the batch's authors: they are small, and the same answer then serves
// reblogged and mentioned accounts as well. It returns the lists too, for
// callers that keep them sorted.
func (s *Service) loadRelations(ctx context.Context, vc *viewerContext) (*store.ViewerRelations, error) {
	r, err := s.store.GetViewerRelations(ctx, vc.id, s.nowUTC())
	if err != nil {
		return nil, internal("social.loadRelations", err)
	}
	vc.following, vc.blocked = idSet(r.Following), idSet(r.BlockedOrBlocking)
	vc.muted, vc.mutedNotifications = idSet(r.Muted), idSet(r.NotificationMuted)
	vc.suspended, vc.silenced = idSet(r.Suspended), idSet(r.Silenced)
	return r, nil
}
