package social

import (
	"context"
	"fmt"
	"strings"

	"github.com/starling-social/starling/go/store"
)

// maxSimilar bounds GET /api/v1/statuses/:id/similar's limit.
const maxSimilar = 40

// SimilarStatuses answers GET /api/v1/statuses/:id/similar ("more like
// this", a Starling extension): the statuses nearest in meaning to one the
// viewer may see (a reblog stands for its original), best first, without
// it and filtered by the one visibility rule as search results are.
// Without a vector searcher the list is empty.
func (s *Service) SimilarStatuses(ctx context.Context, viewer *store.Account, id int64, limit int) ([]*store.Status, error) {
	const op = "social.SimilarStatuses"
	if limit <= 0 || limit > maxSimilar {
		return nil, invalid(op, fmt.Sprintf("Validation failed: limit must be 1..%d", maxSimilar))
	}
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if st.ReblogOfID != 0 {
		if st, err = s.GetStatus(ctx, viewer, st.ReblogOfID); err != nil {
			return nil, err
		}
	}
	if s.srch == nil {
		return []*store.Status{}, nil
	}
	// Over-fetch: the status itself and what the viewer may not see are
	// dropped below.
	ids, err := s.srch.SearchStatusIDs(ctx, strings.TrimSpace(st.SpoilerText+"\n"+st.Text), 3*limit+10)
	if err != nil {
		return nil, internal(op, err)
	}
	others := ids[:0:0]
	for _, other := range ids {
		if other != st.ID {
			others = append(others, other)
		}
	}
	found, err := s.statusesInOrder(ctx, op, others)
	if err != nil {
		return nil, err
	}
	s.forgetDeleted(ctx, others, found)
	vis, err := s.filterVisible(ctx, viewer, found, readSearch)
	if err != nil {
		return nil, err
	}
	if vis, err = s.rankByRanker(ctx, op, viewer, "search", st.Text, vis); err != nil {
		return nil, err
	}
	return page(vis, limit, 0), nil
}
