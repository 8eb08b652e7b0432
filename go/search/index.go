package search

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/vecsearch"
)

// VectorSource pages through a collection's stored vectors in ID order
// (the source of truth the index is built and caught up from).
type VectorSource interface {
	ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error)
}

// IndexConfig shapes a collection's index. Zero values take the defaults
// noted on each field.
type IndexConfig struct {
	// Name names the collection in logs and snapshot files ("statuses").
	Name string
	// Dim is the vector dimension (required).
	Dim int
	// FlatThreshold is the size from which an IVF-PQ index replaces the
	// exact one (default 20,000): below it an exact scan is fast enough
	// and needs no training.
	FlatThreshold int
	// RetrainGrowth retrains an IVF-PQ index once the collection has grown
	// by this factor since it was trained (default 2): the coarse
	// centroids then no longer describe the data well.
	RetrainGrowth float64
	// NProbe is the inverted lists visited per query (default 0: auto, see
	// AutoNProbe) and RefineFactor the exact re-rank depth (default 16,
	// over 8-bit copies): recall@10 0.98 on posts-fasttext-100 at nprobe 32
	// (bench/RESULTS.md, "index").
	NProbe, RefineFactor int
	// TrainThreads bounds the training threads (default 1: training runs
	// in the background of a serving process).
	TrainThreads int
	// Seed fixes training (default 1).
	Seed uint64
}

func (c *IndexConfig) defaults() {
	if c.FlatThreshold <= 0 {
		c.FlatThreshold = 20_000
	}
	if c.RetrainGrowth <= 1 {
		c.RetrainGrowth = 2
	}
	if c.NProbe < 0 {
		c.NProbe = 0
	}
	if c.RefineFactor <= 0 {
		c.RefineFactor = 16
	}
	if c.TrainThreads <= 0 {
		c.TrainThreads = 1
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
}

// Hit is one search result: an ID and its cosine similarity to the query.
type Hit struct {
	ID    int64
	Score float32
}

// Index is one collection's vector index, live in the server: exact (flat)
// below FlatThreshold vectors, IVF-PQ above it, trained in the background
// on a sample and swapped in atomically, retrained when the collection has
// grown by RetrainGrowth. Adds and removes are incremental; while a build
// runs they are also journaled and replayed on the new index before the
// swap, so nothing added or removed meanwhile is lost. It is safe for
// concurrent use; searches never wait for a build.
type Index struct {
	cfg IndexConfig
	log *slog.Logger
	// note says what the index is doing besides serving (a re-embedding
	// after a change of embedder); "" when nothing.
	note atomic.Pointer[string]

	// mu guards cur: searches hold it shared, the swap exclusively.
	mu    sync.RWMutex
	cur   *vecsearch.Index
	nlist int // cur's inverted lists, 0 when exact

	// wmu serialises writes (adds, removes, the swap's replay, snapshots)
	// and guards the fields below.
	wmu     sync.Mutex
	ids     map[int64]struct{}
	removed map[int64]struct{} // recent deletions: tombstones against late adds
	hwm     int64              // highest ID added from the source or live
	trained int                // size at the last IVF-PQ training; 0 while flat
	journal *[]journalOp       // non-nil while a build runs

	// size is len(ids), readable without wmu: searches must not wait for
	// a snapshot or a batch of adds.
	size     atomic.Int64
	building atomic.Bool
	progress atomic.Int64 // vectors read by the running build
	bg       sync.WaitGroup
	bgCtx    context.Context
	src      VectorSource
	counts   *Counters
}

type journalOp struct {
	remove bool
	rows   []store.StatusEmbedding // adds
	ids    []int64                 // removes
}

// NewIndex returns an empty exact index for cfg. Background builds use
// ctx and src (the collection's vectors in SQL); src may be nil, which
// disables background retraining.
func NewIndex(ctx context.Context, cfg IndexConfig, src VectorSource, log *slog.Logger) (*Index, error) {
	if cfg.Dim < 1 {
		return nil, fmt.Errorf("search: index %q: dimension %d", cfg.Name, cfg.Dim)
	}
	cfg.defaults()
	if log == nil {
		log = slog.Default()
	}
	flat, err := vecsearch.NewFlat(cfg.Dim, vecsearch.Cosine)
	if err != nil {
		return nil, fmt.Errorf("search: index %q: %w", cfg.Name, err)
	}
	return &Index{cfg: cfg, log: log.With("index", cfg.Name), cur: flat, ids: map[int64]struct{}{},
		removed: map[int64]struct{}{}, bgCtx: ctx, src: src, counts: newCounters()}, nil
}

// Close waits for a background build and frees the index.
func (x *Index) Close() error {
	x.bg.Wait()
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.cur.Close()
}

// Add stores rows (skipping IDs already present or recently removed, and
// vectors of another dimension) and returns how many it added. It may
// start a background build when the collection crossed a threshold.
func (x *Index) Add(rows []store.StatusEmbedding) (int, error) {
	return x.add(rows, false)
}

// add stores rows, first forgetting their tombstones if restore is set,
// under one write lock so no Remove can come in between.
func (x *Index) add(rows []store.StatusEmbedding, restore bool) (int, error) {
	x.wmu.Lock()
	if restore {
		for _, r := range rows {
			delete(x.removed, r.StatusID)
		}
	}
	n, err := x.addLocked(rows)
	grow := x.needsBuildLocked()
	x.wmu.Unlock()
	if grow {
		x.buildInBackground("grown")
	}
	return n, err
}

func (x *Index) addLocked(rows []store.StatusEmbedding) (int, error) {
	vecs := make([]float32, 0, len(rows)*x.cfg.Dim)
	ids := make([]int64, 0, len(rows))
	kept := make([]store.StatusEmbedding, 0, len(rows))
	for _, r := range rows {
		if _, dup := x.ids[r.StatusID]; dup {
			continue
		}
		if _, gone := x.removed[r.StatusID]; gone {
			continue
		}
		if len(r.Embedding) != x.cfg.Dim {
			// A vector from another embedder: skip it rather than fail the
			// whole page; re-embedding is the embedder job's work. Debug:
			// catch-up reads recent rows again every few seconds.
			x.log.Debug("search: skipping vector of wrong dimension", "id", r.StatusID, "dim", len(r.Embedding), "want", x.cfg.Dim)
			continue
		}
		if !finite(r.Embedding) {
			x.log.Debug("search: skipping vector with NaN or infinite values", "id", r.StatusID)
			continue
		}
		vecs = append(vecs, r.Embedding...)
		ids = append(ids, r.StatusID)
		kept = append(kept, r)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	x.mu.RLock()
	err := x.cur.Add(vecs, ids)
	x.mu.RUnlock()
	if err != nil {
		return 0, fmt.Errorf("search: index %q: add: %w", x.cfg.Name, err)
	}
	for _, id := range ids {
		x.ids[id] = struct{}{}
		x.hwm = max(x.hwm, id)
	}
	x.size.Store(int64(len(x.ids)))
	if x.journal != nil {
		*x.journal = append(*x.journal, journalOp{rows: kept})
	}
	return len(ids), nil
}

func finite(v []float32) bool {
	for _, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return false
		}
	}
	return true
}

// Remove deletes ids from the index (unknown IDs are ignored) and
// remembers them for tombstoneWindow so that a late add of the same ID
// (a catch-up page read just before the delete) is refused.
func (x *Index) Remove(ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	cutoff := snowflake.FromTime(time.Now().Add(-tombstoneWindow))
	for id := range x.removed {
		if id < cutoff {
			delete(x.removed, id)
		}
	}
	for _, id := range ids {
		x.removed[id] = struct{}{}
	}
	return x.removeLocked(ids)
}

// Restore adds rows back, forgetting their tombstones: statuses removed
// from search for a while (their author suspended) and searchable again.
func (x *Index) Restore(rows []store.StatusEmbedding) (int, error) {
	return x.add(rows, true)
}

// Replace drops the vectors of ids without leaving tombstones (the
// statuses live on, edited) and adds rows in their place, if any; it
// returns how many rows it added.
func (x *Index) Replace(ids []int64, rows []store.StatusEmbedding) (int, error) {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	if _, err := x.removeLocked(ids); err != nil {
		return 0, err
	}
	return x.addLocked(rows)
}

// removeLocked deletes ids from the served index, journaling the removal
// while a build runs. x.wmu must be held.
func (x *Index) removeLocked(ids []int64) (int, error) {
	for _, id := range ids {
		delete(x.ids, id)
	}
	x.size.Store(int64(len(x.ids)))
	if x.journal != nil {
		*x.journal = append(*x.journal, journalOp{remove: true, ids: slices.Clone(ids)})
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n, err := x.cur.Remove(ids)
	if err != nil {
		return 0, fmt.Errorf("search: index %q: remove: %w", x.cfg.Name, err)
	}
	return n, nil
}

// Len is the number of vectors searchable.
func (x *Index) Len() int { return int(x.size.Load()) }

// Search returns up to k nearest vectors to q (a vector of Dim values),
// best first, leaving out those in exclude (any order).
func (x *Index) Search(q []float32, k int, exclude []int64) ([]Hit, error) {
	if len(q) != x.cfg.Dim || k <= 0 {
		return nil, nil
	}
	// Ask for no more than there is: the output buffers are sized by k.
	if k = min(k, x.Len()); k == 0 {
		return nil, nil
	}
	ex := exclude
	if len(ex) > 0 && !slices.IsSorted(ex) {
		ex = slices.Clone(ex)
		slices.Sort(ex)
	}
	ids := make([]int64, k)
	dists := make([]float32, k)
	x.mu.RLock()
	// The exact index ignores nprobe and the re-rank depth.
	opts := vecsearch.SearchOptions{NProbe: x.nprobeLocked(), RefineFactor: x.cfg.RefineFactor, Threads: 1, Exclude: ex}
	n, err := x.cur.SearchWith(q, k, opts, ids, dists)
	x.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("search: index %q: %w", x.cfg.Name, err)
	}
	hits := make([]Hit, 0, n)
	for i := range n {
		if ids[i] < 0 {
			continue
		}
		// Cosine distances are 2 - 2·cos.
		hits = append(hits, Hit{ID: ids[i], Score: 1 - dists[i]/2})
	}
	return hits, nil
}

func (x *Index) nprobeLocked() int { return servedNProbe(x.cfg.NProbe, x.nlist) }

// Plan says how a search for k neighbours runs now, for its trace span:
// the inverted lists probed (0: exact index) and the candidates whose
// exact distance is computed (the re-ranked k·refine for IVF-PQ, every
// vector for the exact index).
func (x *Index) Plan(k int) (nprobe, candidates int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.nlist == 0 {
		return 0, x.Len()
	}
	return x.nprobeLocked(), min(k*max(x.cfg.RefineFactor, 1), x.Len())
}

// Status describes an index for operators (starling index status).
type Status struct {
	Name           string  `json:"name"`
	Kind           string  `json:"kind"` // "flat" or "ivfpq"
	Vectors        int     `json:"vectors"`
	Tombstones     int     `json:"tombstones"`
	Dim            int     `json:"dim"`
	NList          int     `json:"nlist,omitempty"`
	M              int     `json:"m,omitempty"`
	NProbe         int     `json:"nprobe,omitempty"`
	RefineFactor   int     `json:"refine_factor,omitempty"`
	MemoryBytes    int     `json:"memory_bytes"`
	BytesPerVector float64 `json:"bytes_per_vector"`
	TrainedAt      int     `json:"trained_at_vectors,omitempty"` // size when IVF-PQ was trained
	HighWater      int64   `json:"high_water"`
	Building       bool    `json:"building"`
	BuildProgress  int64   `json:"build_progress"` // vectors read by the running build
	// Note: what else is going on, e.g. "filling: searches use hash-v1-256
	// (N vectors) until every status has a vector here".
	Note string `json:"note,omitempty"`
}

// AutoNProbe is the lists an IVF-PQ index of nlist lists visits per
// query when no nprobe is configured: a tenth of them, at least 32. The
// lists grow as √n, so a fixed nprobe visits an ever smaller share: 32
// gave recall@10 0.96 at 100k statuses (316 lists) but 0.92 at 1M (999
// lists), below the 0.95 target; 64 gave 0.957 there (bench/RESULTS.md,
// scale). Searching 100 of 999 lists costs about a millisecond.
func AutoNProbe(nlist int) int { return max(32, (nlist+9)/10) }

// servedNProbe is the nprobe a search uses: the configured one (0: auto),
// at most the lists there are.
func servedNProbe(configured, nlist int) int {
	if configured <= 0 {
		configured = AutoNProbe(nlist)
	}
	return min(configured, max(nlist, 1))
}

// Status returns the index's current state.
func (x *Index) Status() (Status, error) {
	x.mu.RLock()
	st, err := x.cur.Stats()
	x.mu.RUnlock()
	if err != nil {
		return Status{}, fmt.Errorf("search: index %q: %w", x.cfg.Name, err)
	}
	x.wmu.Lock()
	s := Status{Name: x.cfg.Name, Kind: st.Kind.String(), Vectors: st.Len, Tombstones: st.Tombstones, Dim: st.Dim,
		NList: st.NList, M: st.M, MemoryBytes: st.MemoryBytes, TrainedAt: x.trained, HighWater: x.hwm,
		Building: x.building.Load(), BuildProgress: x.progress.Load()}
	x.wmu.Unlock()
	if st.Kind == vecsearch.KindIVFPQ {
		s.NProbe, s.RefineFactor = servedNProbe(x.cfg.NProbe, st.NList), x.cfg.RefineFactor
	}
	if st.Len > 0 {
		s.BytesPerVector = float64(st.MemoryBytes) / float64(st.Len)
	}
	if n := x.note.Load(); n != nil {
		s.Note = *n
	}
	return s, nil
}

// SetNote sets what Status reports the index is doing besides serving.
func (x *Index) SetNote(note string) { x.note.Store(&note) }
