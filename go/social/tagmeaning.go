package social

import (
	"context"
	"slices"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Hashtag candidates for the typeahead's semantic fallback: the tags of
// public statuses of the last tagMeaningWindow (at most tagMeaningRows
// uses read), so a tag used only in non-public statuses stays unknown.
const (
	tagMeaningWindow = 30 * 24 * time.Hour
	tagMeaningRows   = 5000
)

func newTagMeaning(emb Embedder, st store.Store) *meaningIndex[string] {
	if emb == nil {
		return nil
	}
	return &meaningIndex[string]{emb: emb, load: func(ctx context.Context, now time.Time) ([]string, []string, error) {
		uses, err := st.ListTagUses(ctx, now.Add(-tagMeaningWindow), now.Add(time.Second), tagMeaningRows)
		if err != nil {
			return nil, nil, err
		}
		var names []string
		for _, u := range uses {
			if !slices.Contains(names, u.Name) {
				names = append(names, u.Name)
			}
		}
		return names, names, nil
	}}
}

// similarTags returns up to n hashtag names nearest in meaning to query,
// leaving out those in skip.
func (s *Service) similarTags(ctx context.Context, query string, n int, skip []string) ([]string, error) {
	return s.tags.nearest(ctx, s.nowUTC(), query, n, func(name string) bool { return slices.Contains(skip, name) })
}
