package social

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"
)

// The typeahead's semantic fallback ranks a bounded set of candidates
// (recent hashtags, discoverable accounts) by the cosine of their text's
// vector to the query's. The candidates and their vectors are cached for
// meaningTTL: one scan and embedding per minute at most, whatever the
// request rate.
const (
	meaningTTL = time.Minute
	// meaningFloor is the lowest cosine a fallback result may have (the
	// built-in embedder's search floor, bench/RESULTS.md "embedder").
	meaningFloor = 0.4
)

// meaningIndex is one kind of candidate: load returns their keys and texts.
type meaningIndex[K comparable] struct {
	emb  Embedder
	load func(ctx context.Context, now time.Time) ([]K, []string, error)

	mu   sync.Mutex
	at   time.Time
	keys []K
	vecs [][]float32
}

func (m *meaningIndex[K]) candidates(ctx context.Context, now time.Time) ([]K, [][]float32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys != nil && now.Sub(m.at) < meaningTTL {
		return m.keys, m.vecs, nil
	}
	keys, texts, err := m.load(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	kept, vecs := make([]K, 0, len(keys)), make([][]float32, 0, len(keys))
	for i, k := range keys {
		if v := m.emb.Embed(texts[i]); v != nil {
			kept, vecs = append(kept, k), append(vecs, v)
		}
	}
	m.at, m.keys, m.vecs = now, kept, vecs
	return kept, vecs, nil
}

// nearest returns up to n keys at least meaningFloor from query, best
// first (ties in candidate order), leaving out those skip says.
func (m *meaningIndex[K]) nearest(ctx context.Context, now time.Time, query string, n int, skip func(K) bool) ([]K, error) {
	q := m.emb.Embed(query)
	if q == nil || n <= 0 {
		return nil, nil
	}
	keys, vecs, err := m.candidates(ctx, now)
	if err != nil {
		return nil, err
	}
	type hit struct {
		key   K
		score float64
	}
	var hits []hit
	for i, v := range vecs {
		if len(v) != len(q) || skip(keys[i]) {
			continue
		}
		var dot float64
		for k := range v {
			dot += float64(v[k]) * float64(q[k])
		}
		if dot >= meaningFloor && !math.IsNaN(dot) {
			hits = append(hits, hit{keys[i], dot})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	out := make([]K, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.key)
	}
	return out, nil
}
