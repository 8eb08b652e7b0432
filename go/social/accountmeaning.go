package social

import (
	"context"
	"slices"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Account candidates for the typeahead's semantic fallback: the
// accountMeaningRows most recently active discoverable accounts (only
// accounts that opted into the profile directory are found by meaning),
// by display name and bio.
const accountMeaningRows = 2000

func newAccountMeaning(emb Embedder, st store.Store) *meaningIndex[int64] {
	if emb == nil {
		return nil
	}
	return &meaningIndex[int64]{emb: emb, load: func(ctx context.Context, _ time.Time) ([]int64, []string, error) {
		accts, err := st.ListDirectory(ctx, store.DirectoryQuery{Limit: accountMeaningRows})
		if err != nil {
			return nil, nil, err
		}
		ids, texts := make([]int64, len(accts)), make([]string, len(accts))
		for i, a := range accts {
			ids[i], texts[i] = a.ID, a.DisplayName+"\n"+a.Note
		}
		return ids, texts, nil
	}}
}

// similarAccounts returns up to n discoverable accounts nearest in meaning
// to query, best first, leaving out the IDs in skip. The accounts are read
// again, so a change since the candidates were cached (an opt-out) applies
// at once.
func (s *Service) similarAccounts(ctx context.Context, query string, n int, skip []int64) ([]*store.Account, error) {
	ids, err := s.accts.nearest(ctx, s.nowUTC(), query, n, func(id int64) bool { return slices.Contains(skip, id) })
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	fresh, err := s.accountsInOrder(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := fresh[:0]
	for _, a := range fresh {
		if a.Discoverable && !accountHidden(a) {
			out = append(out, a)
		}
	}
	return out, nil
}
