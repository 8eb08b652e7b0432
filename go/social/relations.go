package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// loadRelations fills vc.blocked and vc.muted for the authors of sts.
// Blocks and mutes arrive with the relationship model (Social API issue).
func (s *Service) loadRelations(_ context.Context, _ *viewerContext, _ []*store.Status) error {
	return nil
}
