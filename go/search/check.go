package search

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/starling-social/starling/go/store"
)

// CheckResult is the served index's recall against exact search.
type CheckResult struct {
	Index       string        `json:"index"`
	Kind        string        `json:"kind"`
	Queries     int           `json:"queries"`
	K           int           `json:"k"`
	Recall      float64       `json:"recall"` // mean recall@K over the queries
	NProbe      int           `json:"nprobe,omitempty"`
	Refine      int           `json:"refine_factor,omitempty"`
	Vectors     int           `json:"vectors"`
	Took        time.Duration `json:"took_ns"`
	Target      float64       `json:"target"`
	MeetsTarget bool          `json:"meets_target"`
}

// RecallTarget is the recall@10 the served settings must reach.
const RecallTarget = 0.95

// Check measures the served index's recall@k at its served settings:
// queries are a uniform sample of stored vectors, the truth is an exact
// scan of the source, and each query's own ID is left out of both (it
// would find itself and flatter the figure).
func (x *Index) Check(ctx context.Context, queries, k int) (CheckResult, error) {
	if x.src == nil {
		return CheckResult{}, fmt.Errorf("search: index %q has no source to check against", x.cfg.Name)
	}
	if queries < 1 || k < 1 {
		return CheckResult{}, fmt.Errorf("search: check needs queries and k >= 1")
	}
	start := time.Now()
	d := x.cfg.Dim
	rng := rand.New(rand.NewPCG(x.cfg.Seed, 0xc4ec))
	var qs []float32
	var qids []int64
	n := 0
	if err := x.scan(ctx, func(r store.StatusEmbedding) error {
		n++
		if len(qids) < queries {
			qs, qids = append(qs, r.Embedding...), append(qids, r.StatusID)
		} else if j := rng.IntN(n); j < queries {
			copy(qs[j*d:(j+1)*d], r.Embedding)
			qids[j] = r.StatusID
		}
		return nil
	}); err != nil {
		return CheckResult{}, err
	}
	if len(qids) == 0 {
		return CheckResult{Index: x.cfg.Name, Recall: 1, K: k, Target: RecallTarget, MeetsTarget: true}, nil
	}
	// The served answers first, then one exact scan that finds the true
	// top k and scores the served hits: a served hit counts when it scores
	// at least the k-th true score (ties between equally near vectors are
	// not misses, as in ann-benchmarks).
	served := make([][]int64, len(qids))
	servedBy := map[int64][]int{} // hit ID -> queries it answers
	for i, qid := range qids {
		hits, err := x.Search(qs[i*d:(i+1)*d], k+1, nil)
		if err != nil {
			return CheckResult{}, err
		}
		for _, h := range hits {
			if h.ID != qid && len(served[i]) < k {
				served[i] = append(served[i], h.ID)
				servedBy[h.ID] = append(servedBy[h.ID], i)
			}
		}
	}
	truth := make([]topK, len(qids))
	for i := range truth {
		truth[i] = topK{k: k}
	}
	exact := make([]map[int64]float32, len(qids))
	for i := range exact {
		exact[i] = map[int64]float32{}
	}
	if err := x.scan(ctx, func(r store.StatusEmbedding) error {
		for i, qid := range qids {
			if r.StatusID != qid {
				truth[i].offer(r.StatusID, cosine(qs[i*d:(i+1)*d], r.Embedding))
			}
		}
		for _, i := range servedBy[r.StatusID] {
			exact[i][r.StatusID] = cosine(qs[i*d:(i+1)*d], r.Embedding)
		}
		return nil
	}); err != nil {
		return CheckResult{}, err
	}
	const tieEps = 1e-5
	var sum float64
	for i := range qids {
		want := len(truth[i].h)
		if want == 0 {
			sum++
			continue
		}
		kth := truth[i].h[0].Score // the min-heap's root is the k-th best
		found := 0
		for _, id := range served[i] {
			if sc, ok := exact[i][id]; ok && sc >= kth-tieEps {
				found++
			}
		}
		sum += float64(min(found, want)) / float64(want)
	}
	st, err := x.Status()
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Index: x.cfg.Name, Kind: st.Kind, Queries: len(qids), K: k, Recall: sum / float64(len(qids)),
		NProbe: st.NProbe, Refine: st.RefineFactor, Vectors: st.Vectors, Took: time.Since(start), Target: RecallTarget}
	res.MeetsTarget = res.Recall >= RecallTarget
	x.counts.checked(res.Recall)
	return res, nil
}

func cosine(a, b []float32) float32 {
	var dot, na, nb float32
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / sqrt32(na*nb)
}

// topK keeps the k best hits seen, as a min-heap on score.
type topK struct {
	k int
	h hitHeap
}

func (t *topK) offer(id int64, score float32) {
	if len(t.h) < t.k {
		heap.Push(&t.h, Hit{ID: id, Score: score})
		return
	}
	if score > t.h[0].Score {
		t.h[0] = Hit{ID: id, Score: score}
		heap.Fix(&t.h, 0)
	}
}

type hitHeap []Hit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return h[i].Score < h[j].Score }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
