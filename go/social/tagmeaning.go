package social

import (
	"context"
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// The typeahead's semantic fallback for hashtags: when a prefix finds fewer
// than asked, the hashtags used publicly in the last tagMeaningWindow whose
// names are nearest in meaning to the query fill the page. The candidates
// (at most tagMeaningRows uses read, so a bounded set) and their vectors are
// cached for tagMeaningTTL: one scan and embedding per minute at most,
// whatever the request rate.
const (
	tagMeaningWindow = 30 * 24 * time.Hour
	tagMeaningRows   = 5000
	tagMeaningTTL    = time.Minute
	// tagMeaningFloor is the lowest cosine a fallback hashtag may have (the
	// built-in embedder's search floor, bench/RESULTS.md "embedder").
	tagMeaningFloor = 0.4
)

type tagMeaning struct {
	emb Embedder

	mu    sync.Mutex
	at    time.Time
	names []string
	vecs  [][]float32
}

func newTagMeaning(emb Embedder) *tagMeaning {
	if emb == nil {
		return nil
	}
	return &tagMeaning{emb: emb}
}

// candidates returns the cached recent public hashtags and their vectors,
// refreshed when older than tagMeaningTTL.
func (t *tagMeaning) candidates(ctx context.Context, s *Service) ([]string, [][]float32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := s.nowUTC()
	if t.names != nil && now.Sub(t.at) < tagMeaningTTL {
		return t.names, t.vecs, nil
	}
	uses, err := s.store.ListTagUses(ctx, now.Add(-tagMeaningWindow), now.Add(time.Second), tagMeaningRows)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	names, vecs := []string{}, [][]float32{}
	for _, u := range uses {
		if seen[u.Name] {
			continue
		}
		seen[u.Name] = true
		if v := t.emb.Embed(u.Name); v != nil {
			names, vecs = append(names, u.Name), append(vecs, v)
		}
	}
	t.at, t.names, t.vecs = now, names, vecs
	return names, vecs, nil
}

// similar returns up to n hashtag names nearest in meaning to query, best
// first, leaving out those in skip.
func (t *tagMeaning) similar(ctx context.Context, s *Service, query string, n int, skip []string) ([]string, error) {
	q := t.emb.Embed(query)
	if q == nil || n <= 0 {
		return nil, nil
	}
	names, vecs, err := t.candidates(ctx, s)
	if err != nil {
		return nil, err
	}
	type scored struct {
		name  string
		score float64
	}
	var hits []scored
	for i, v := range vecs {
		if len(v) != len(q) {
			continue
		}
		var dot float64
		for k := range v {
			dot += float64(v[k]) * float64(q[k])
		}
		if dot >= tagMeaningFloor && !math.IsNaN(dot) && !slices.Contains(skip, names[i]) {
			hits = append(hits, scored{names[i], dot})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].name < hits[j].name
	})
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.name)
	}
	return out, nil
}
