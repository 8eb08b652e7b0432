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
	vc.following, vc.blocked = relationSet(r.Following), relationSet(r.BlockedOrBlocking)
	vc.muted, vc.mutedNotifications = relationSet(r.Muted), relationSet(r.NotificationMuted)
	vc.suspended, vc.silenced = relationSet(r.Suspended), relationSet(r.Silenced)
	return r, nil
}

// relationSet is idSet, but nil (which reads as empty) for no IDs: most
// viewers block and mute no one and most instances moderate few, and each
// read made these sets for every page. Whoever adds to one checks for nil
// (contextFor does).
func relationSet(ids []int64) map[int64]bool {
	if len(ids) == 0 {
		return nil
	}
	return idSet(ids)
}
