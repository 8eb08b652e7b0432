package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// loadMentions fills vc.mentioned for the statuses of sts that mention the
// viewer. Mentions arrive with the interactions model (Social API issue).
func (s *Service) loadMentions(_ context.Context, _ *viewerContext, _ []*store.Status) error {
	return nil
}
