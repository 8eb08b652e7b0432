package social

import (
	"context"
	"slices"
)

// loadRelations fills vc.following, vc.blocked (accounts the viewer
// blocks or is blocked by), vc.muted (accounts the viewer mutes, mute not
// expired), vc.mutedNotifications (those of the mutes that cover
// notifications) and the instance's suspended and silenced accounts (for
// vc.id 0, an anonymous viewer, only those) with one query per batch,
// read afresh every time so a new follow, block or mute applies on the
// very next read in every process. The lists are the viewer's whole sets
// rather than restricted to the batch's authors, so the same answer serves
// reblogged and mentioned accounts as well; they are searched as they
// come (idList), however long.
func (s *Service) loadRelations(ctx context.Context, vc *viewerContext) error {
	r, err := s.store.GetViewerRelations(ctx, vc.id, s.nowUTC())
	if err != nil {
		return internal("social.loadRelations", err)
	}
	vc.following, vc.blocked = r.Following, r.BlockedOrBlocking
	vc.muted, vc.mutedNotifications = r.Muted, r.NotificationMuted
	vc.suspended, vc.silenced = r.Suspended, r.Silenced
	return nil
}

// idList is a set of account IDs held as the ascending list the store
// returns a viewer's relations in (ViewerRelations.Normalize), searched
// rather than copied into a map: every page made one map per relation,
// and a viewer following thousands built thousands of entries per read.
// nil is the empty set.
type idList []int64

// has reports whether id is in l.
func (l idList) has(id int64) bool {
	_, ok := slices.BinarySearch(l, id)
	return ok
}
