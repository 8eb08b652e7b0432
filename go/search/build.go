package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/vecsearch"
)

// ErrBuilding is returned by Rebuild while another build runs.
var ErrBuilding = errors.New("search: an index build is already running")

// buildPage is how many vectors a build reads from the source at once.
const buildPage = 4096

// trainSample bounds the vectors IVF-PQ trains on: k-means needs some tens
// of points per list, not the whole collection (FAISS warns under 39).
const trainSample = 64 * 1024

// BuildResult says what a build made.
type BuildResult struct {
	Kind    string        `json:"kind"` // "flat" or "ivfpq"
	Vectors int           `json:"vectors"`
	NList   int           `json:"nlist,omitempty"`
	Took    time.Duration `json:"took_ns"`
}

// needsBuildLocked reports whether the collection outgrew its index: the
// exact one crossed FlatThreshold, or the IVF-PQ one grew RetrainGrowth
// times since training. x.wmu must be held.
func (x *Index) needsBuildLocked() bool {
	if x.src == nil || x.building.Load() {
		return false
	}
	n := len(x.ids)
	if x.trained == 0 {
		return n >= x.cfg.FlatThreshold
	}
	return float64(n) >= x.cfg.RetrainGrowth*float64(x.trained)
}

// buildInBackground starts a Rebuild unless one runs.
func (x *Index) buildInBackground(reason string) {
	if x.src == nil || !x.building.CompareAndSwap(false, true) {
		return
	}
	x.bg.Add(1)
	go func() {
		defer x.bg.Done()
		x.log.Info("search: index build started", "reason", reason)
		res, err := x.build(x.bgCtx)
		if err != nil {
			x.log.Error("search: index build failed; the current index keeps serving", "err", err)
			return
		}
		x.log.Info("search: index build swapped in", "kind", res.Kind, "vectors", res.Vectors, "nlist", res.NList, "took", res.Took.Round(time.Millisecond))
	}()
}

// Rebuild builds a new index from the source now (IVF-PQ from
// FlatThreshold vectors, else exact) and swaps it in; searches keep using
// the current one meanwhile. ErrBuilding if a build already runs.
func (x *Index) Rebuild(ctx context.Context) (BuildResult, error) {
	if x.src == nil {
		return BuildResult{}, fmt.Errorf("search: index %q has no source to rebuild from", x.cfg.Name)
	}
	if !x.building.CompareAndSwap(false, true) {
		return BuildResult{}, ErrBuilding
	}
	return x.build(ctx)
}

// Wait blocks until no background build runs.
func (x *Index) Wait() { x.bg.Wait() }

// RebuildInBackground starts a rebuild and returns at once; false if one
// was already running.
func (x *Index) RebuildInBackground() bool {
	if x.building.Load() {
		return false
	}
	x.buildInBackground("requested")
	return true
}

// build runs with x.building set and clears it. Two passes over the
// source: the first counts and keeps a uniform sample (reservoir) to train
// on, the second adds every vector; what changes meanwhile is journaled
// and replayed before the swap.
func (x *Index) build(ctx context.Context) (res BuildResult, err error) {
	defer x.building.Store(false)
	defer x.progress.Store(0)
	start := time.Now()
	defer func() { x.counts.built(time.Since(start), err) }()
	x.wmu.Lock()
	journal := []journalOp{}
	x.journal = &journal
	x.wmu.Unlock()
	defer func() {
		if err != nil {
			x.wmu.Lock()
			x.journal = nil
			x.wmu.Unlock()
		}
	}()

	n, sample, err := x.countAndSample(ctx)
	if err != nil {
		return res, err
	}
	next, nlist, err := x.newIndexFor(n, sample)
	if err != nil {
		return res, err
	}
	ids := make(map[int64]struct{}, n)
	if err := x.fill(ctx, next, ids); err != nil {
		next.Close()
		return res, err
	}

	x.wmu.Lock()
	if err := x.replayLocked(next, ids); err != nil {
		x.wmu.Unlock()
		next.Close()
		return res, err
	}
	x.mu.Lock()
	old := x.cur
	x.cur, x.nlist = next, nlist
	x.mu.Unlock()
	x.ids = ids
	x.size.Store(int64(len(ids)))
	for id := range ids {
		x.hwm = max(x.hwm, id)
	}
	x.trained = 0
	res.Kind = "flat"
	if nlist > 0 {
		x.trained = max(len(ids), 1)
		res.Kind = "ivfpq"
	}
	x.journal = nil
	x.wmu.Unlock()
	// Close waits for searches still running on the old index.
	if err := old.Close(); err != nil {
		x.log.Warn("search: closing the replaced index", "err", err)
	}
	res.Vectors, res.NList, res.Took = len(ids), nlist, time.Since(start)
	return res, nil
}

// countAndSample reads the source once, counting usable vectors and
// keeping a uniform sample of at most trainSample of them.
func (x *Index) countAndSample(ctx context.Context) (int, []float32, error) {
	d := x.cfg.Dim
	rng := rand.New(rand.NewPCG(x.cfg.Seed, 0x5eed))
	var sample []float32
	n := 0
	err := x.scan(ctx, func(r store.StatusEmbedding) error {
		n++
		if n <= trainSample {
			sample = append(sample, r.Embedding...)
		} else if j := rng.IntN(n); j < trainSample {
			copy(sample[j*d:(j+1)*d], r.Embedding)
		}
		return nil
	})
	return n, sample, err
}

// scan calls fn for every usable vector of the source, in ID order.
func (x *Index) scan(ctx context.Context, fn func(store.StatusEmbedding) error) error {
	var after int64
	read := int64(0)
	for {
		rows, err := x.src.ListStatusEmbeddings(ctx, after, buildPage)
		if err != nil {
			return fmt.Errorf("search: index %q: read after %d: %w", x.cfg.Name, after, err)
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			if len(r.Embedding) != x.cfg.Dim || !finite(r.Embedding) {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].StatusID
		read += int64(len(rows))
		x.progress.Store(read)
	}
}

// newIndexFor returns an empty index for n vectors: exact below
// FlatThreshold, else IVF-PQ trained on sample (nlist returned, 0 for
// exact).
func (x *Index) newIndexFor(n int, sample []float32) (*vecsearch.Index, int, error) {
	if n < x.cfg.FlatThreshold {
		idx, err := vecsearch.NewFlat(x.cfg.Dim, vecsearch.Cosine)
		if err != nil {
			return nil, 0, fmt.Errorf("search: index %q: %w", x.cfg.Name, err)
		}
		return idx, 0, nil
	}
	cfg := ivfpqConfig(x.cfg, n)
	idx, err := vecsearch.NewIVFPQ(cfg)
	if err != nil {
		return nil, 0, fmt.Errorf("search: index %q: %w", x.cfg.Name, err)
	}
	if err := idx.Train(sample); err != nil {
		idx.Close()
		return nil, 0, fmt.Errorf("search: index %q: train on %d: %w", x.cfg.Name, len(sample)/x.cfg.Dim, err)
	}
	return idx, cfg.NList, nil
}

// ivfpqConfig shapes the IVF-PQ index for n vectors: about √n lists (the
// usual rule, 16 to 4096), one PQ byte per 4 dimensions, and 8-bit copies
// for the exact re-rank that brings recall back up.
func ivfpqConfig(c IndexConfig, n int) vecsearch.IVFPQConfig {
	nlist := int(math.Sqrt(float64(n)))
	nlist = min(max(nlist, 16), 4096, n/39+1)
	m := c.Dim / 4
	for m > 1 && c.Dim%m != 0 {
		m--
	}
	// PQ training needs at least 2^nbits points per sub-quantizer; small
	// collections (a low --index-flat-threshold) get smaller codebooks.
	nbits := 8
	for nbits > 1 && min(n, trainSample) < 4<<nbits {
		nbits--
	}
	return vecsearch.IVFPQConfig{Dim: c.Dim, Metric: vecsearch.Cosine, NList: nlist, M: max(m, 1), NBits: nbits,
		Refine: vecsearch.RefineSQ8, Seed: c.Seed, TrainThreads: c.TrainThreads, KMeansIters: 15}
}

// fill adds every source vector to next, recording the IDs in ids.
func (x *Index) fill(ctx context.Context, next *vecsearch.Index, ids map[int64]struct{}) error {
	d := x.cfg.Dim
	vecs := make([]float32, 0, buildPage*d)
	batch := make([]int64, 0, buildPage)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := next.Add(vecs, batch); err != nil {
			return fmt.Errorf("search: index %q: add: %w", x.cfg.Name, err)
		}
		vecs, batch = vecs[:0], batch[:0]
		return nil
	}
	err := x.scan(ctx, func(r store.StatusEmbedding) error {
		if _, dup := ids[r.StatusID]; dup {
			return nil
		}
		ids[r.StatusID] = struct{}{}
		vecs = append(vecs, r.Embedding...)
		batch = append(batch, r.StatusID)
		if len(batch) == buildPage {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// replayLocked applies to next what happened to the served index while it
// was built, and the deletions it may have read before they committed.
// x.wmu must be held.
func (x *Index) replayLocked(next *vecsearch.Index, ids map[int64]struct{}) error {
	for _, op := range *x.journal {
		if op.remove {
			if _, err := next.Remove(op.ids); err != nil {
				return fmt.Errorf("search: index %q: replay remove: %w", x.cfg.Name, err)
			}
			for _, id := range op.ids {
				delete(ids, id)
			}
			continue
		}
		var vecs []float32
		var add []int64
		for _, r := range op.rows {
			if _, dup := ids[r.StatusID]; dup {
				continue
			}
			if _, gone := x.removed[r.StatusID]; gone {
				continue
			}
			ids[r.StatusID] = struct{}{}
			vecs = append(vecs, r.Embedding...)
			add = append(add, r.StatusID)
		}
		if err := next.Add(vecs, add); err != nil {
			return fmt.Errorf("search: index %q: replay add: %w", x.cfg.Name, err)
		}
	}
	var gone []int64
	for id := range x.removed {
		if _, ok := ids[id]; ok {
			gone = append(gone, id)
			delete(ids, id)
		}
	}
	if _, err := next.Remove(gone); err != nil {
		return fmt.Errorf("search: index %q: replay remove: %w", x.cfg.Name, err)
	}
	return nil
}
