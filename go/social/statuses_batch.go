package social

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// MaxStatusesByID is how many statuses one GET /api/v1/statuses may name,
// Mastodon's DEFAULT_STATUSES_LIMIT (more is a validation error there too).
const MaxStatusesByID = 20

// GetStatuses returns the statuses among ids that exist and viewer (nil
// when anonymous) may see, in the order of ids, each once. As Mastodon's
// permitted_statuses_from_ids, it leaves out the statuses of accounts the
// viewer blocks, is blocked by or mutes, and reblogs whose original is
// hidden.
func (s *Service) GetStatuses(ctx context.Context, viewer *store.Account, ids []int64) ([]*store.Status, error) {
	const op = "social.GetStatuses"
	ids = uniqueIDs(ids)
	if len(ids) > MaxStatusesByID {
		return nil, invalid(op, fmt.Sprintf("Validation failed: at most %d statuses may be asked for", MaxStatusesByID))
	}
	sts, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	return s.filterVisible(ctx, viewer, sts, readBatch)
}

// uniqueIDs keeps the first of each ID, in order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
