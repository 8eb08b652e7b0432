package social

import (
	"context"
	"errors"
	"slices"

	"github.com/starling-social/starling/go/store"
)

// loadMentions fills vc.mentioned for the statuses of sts that mention the
// viewer, with one query for the whole batch.
func (s *Service) loadMentions(ctx context.Context, vc *viewerContext, sts []*store.Status) error {
	if vc.id == 0 || len(sts) == 0 {
		return nil
	}
	var need []*store.Status
	for _, st := range sts {
		// Only private and direct statuses need the answer; skipping the
		// rest keeps a public timeline's batch query small.
		if st.Visibility == store.VisibilityPrivate || st.Visibility == store.VisibilityDirect {
			need = append(need, st)
		}
	}
	if len(need) == 0 {
		return nil
	}
	ms, _, err := s.statusMentionsAndTags(ctx, need)
	if err != nil {
		return internal("social.loadMentions", err)
	}
	vc.mentioned = make(map[int64]bool)
	for sid, accts := range ms {
		if slices.Contains(accts, vc.id) {
			vc.mentioned[sid] = true
		}
	}
	return nil
}

// resolveMentions looks up the mentioned usernames; names that are not
// local accounts are skipped (they stay plain text).
func (s *Service) resolveMentions(ctx context.Context, usernames []string) (map[string]*store.Account, error) {
	out := make(map[string]*store.Account, len(usernames))
	for _, name := range usernames {
		a, err := s.store.GetAccountByUsername(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}
