package vecsearch

/*
// As in vecsearch.go: none of these keeps a pointer argument after
// returning or calls back into Go, so arguments may stay on the Go stack.
#cgo noescape vs_index_new_ivfpq
#cgo nocallback vs_index_new_ivfpq
#cgo noescape vs_index_train
#cgo nocallback vs_index_train
#cgo noescape vs_index_remove
#cgo nocallback vs_index_remove
#cgo noescape vs_index_compact
#cgo nocallback vs_index_compact
#cgo noescape vs_index_search_opts
#cgo nocallback vs_index_search_opts
#cgo noescape vs_index_search_timed
#cgo nocallback vs_index_search_timed
#cgo noescape vs_index_save
#cgo nocallback vs_index_save
#cgo noescape vs_index_load
#cgo nocallback vs_index_load
#cgo noescape vs_index_stats
#cgo nocallback vs_index_stats

#include <stdlib.h>
#include "vecsearch.h"
*/
import "C"

import (
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"
)

// Cosine ranks by cosine similarity: the library normalises vectors and
// queries to unit length and ranks by squared L2 distance, which it reports
// (2 - 2·cos).
const Cosine Metric = C.VS_METRIC_COSINE

// RefineStorage selects the vector copies an IVF-PQ index keeps for exact
// re-ranking (SearchOptions.RefineFactor).
type RefineStorage int

// Refine storage kinds. The values are the library's VS_REFINE_* codes.
const (
	// RefineNone keeps only PQ codes and ids: m + 8 bytes per vector.
	RefineNone RefineStorage = C.VS_REFINE_NONE
	// RefineF32 keeps a float32 copy: 4·Dim more bytes per vector.
	RefineF32 RefineStorage = C.VS_REFINE_F32
	// RefineSQ8 keeps an 8-bit scalar-quantized copy (per-dimension
	// min/max): Dim more bytes per vector.
	RefineSQ8 RefineStorage = C.VS_REFINE_SQ8
)

// String returns "none", "f32", "sq8" or "RefineStorage(<n>)".
func (r RefineStorage) String() string {
	switch r {
	case RefineNone:
		return "none"
	case RefineF32:
		return "f32"
	case RefineSQ8:
		return "sq8"
	}
	return fmt.Sprintf("RefineStorage(%d)", int(r))
}

// Kind says which index structure an Index is.
type Kind int

// Index kinds. The values are the library's VS_INDEX_* codes.
const (
	// KindFlat is the exact index of NewFlat.
	KindFlat Kind = C.VS_INDEX_FLAT
	// KindIVFPQ is the approximate index of NewIVFPQ.
	KindIVFPQ Kind = C.VS_INDEX_IVFPQ
)

// String returns "flat", "ivfpq" or "Kind(<n>)".
func (k Kind) String() string {
	switch k {
	case KindFlat:
		return "flat"
	case KindIVFPQ:
		return "ivfpq"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// IVFPQConfig is the shape of an IVF-PQ index. Zero values of NBits,
// TrainThreads and KMeansIters select the defaults (8, all cores, 25).
type IVFPQConfig struct {
	// Dim is the vector dimension; M must divide it.
	Dim int
	// Metric is L2, InnerProduct or Cosine.
	Metric Metric
	// NList is the number of inverted lists (coarse centroids).
	NList int
	// M is the number of PQ sub-quantizers (code bytes per vector).
	M int
	// NBits is the bits per sub-quantizer code, 1..8.
	NBits int
	// Refine is the storage kept for exact re-ranking.
	Refine RefineStorage
	// Seed fixes k-means initialisation and training subsampling.
	Seed uint64
	// TrainThreads is the thread count for Train and Add.
	TrainThreads int
	// KMeansIters is the number of k-means iterations.
	KMeansIters int
}

// NewIVFPQ creates an empty inverted-file index with product quantization.
// It must be trained (Train) before Add or Search. The caller must Close it.
func NewIVFPQ(cfg IVFPQConfig) (*Index, error) {
	const op = "new ivfpq"
	switch {
	case cfg.Dim < 1:
		return nil, checkError(op, ErrInvalidArgument, "dimension %d, must be at least 1", cfg.Dim)
	case cfg.NList < 1:
		return nil, checkError(op, ErrInvalidArgument, "nlist %d, must be at least 1", cfg.NList)
	case cfg.M < 1 || cfg.Dim%cfg.M != 0:
		return nil, checkError(op, ErrInvalidArgument, "m %d must be >= 1 and divide dimension %d", cfg.M, cfg.Dim)
	case cfg.NBits < 0 || cfg.NBits > 8:
		return nil, checkError(op, ErrInvalidArgument, "nbits %d, must be 1..8 (0: 8)", cfg.NBits)
	case cfg.TrainThreads < 0 || cfg.KMeansIters < 0:
		return nil, checkError(op, ErrInvalidArgument, "negative thread or iteration count")
	}
	p := C.vs_ivfpq_params{
		d:             C.size_t(cfg.Dim),
		metric:        C.vs_metric(cfg.Metric),
		nlist:         C.size_t(cfg.NList),
		m:             C.size_t(cfg.M),
		nbits:         C.size_t(cfg.NBits),
		refine:        C.int32_t(cfg.Refine),
		seed:          C.uint64_t(cfg.Seed),
		train_threads: C.size_t(cfg.TrainThreads),
		kmeans_iters:  C.size_t(cfg.KMeansIters),
	}
	var h *C.vs_index
	var msg msgBuf
	rc := C.vs_index_new_ivfpq(&p, &h, &msg[0], errBufLen)
	if rc != statusOK {
		return nil, statusError(op, rc, &msg)
	}
	return &Index{h: h, dim: cfg.Dim, metric: cfg.Metric}, nil
}

// Train trains the index on len(vectors)/Dim() row-major vectors: k-means
// for the coarse quantizer, then the product quantizer on residuals. An
// IVF-PQ index needs at least NList and 2^NBits vectors and can be trained
// once. A flat index accepts and ignores Train.
func (x *Index) Train(vectors []float32) error {
	const op = "train"
	if x == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	if len(vectors)%x.dim != 0 {
		return checkError(op, ErrDimension, "%d values is not a multiple of dimension %d", len(vectors), x.dim)
	}
	if len(vectors) == 0 {
		return checkError(op, ErrInvalidArgument, "no training vectors")
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	var msg msgBuf
	rc := C.vs_index_train(x.h, C.size_t(len(vectors)/x.dim), C.size_t(x.dim),
		(*C.float)(unsafe.Pointer(&vectors[0])), &msg[0], errBufLen)
	if rc != statusOK {
		return statusError(op, rc, &msg)
	}
	return nil
}

// Remove removes every stored vector whose id is in ids (any order;
// unknown ids are ignored) and returns how many were removed. An IVF-PQ
// index leaves tombstones until Compact.
func (x *Index) Remove(ids []int64) (int, error) {
	const op = "remove"
	if x == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var msg msgBuf
	var removed C.size_t
	rc := C.vs_index_remove(x.h, C.size_t(len(ids)), (*C.int64_t)(unsafe.Pointer(&ids[0])), &removed,
		&msg[0], errBufLen)
	if rc != statusOK {
		return 0, statusError(op, rc, &msg)
	}
	return int(removed), nil
}

// Compact reclaims the space of removed vectors, one list at a time so
// searches wait at most for one list's rewrite.
func (x *Index) Compact() error {
	const op = "compact"
	if x == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	var msg msgBuf
	if rc := C.vs_index_compact(x.h, &msg[0], errBufLen); rc != statusOK {
		return statusError(op, rc, &msg)
	}
	return nil
}

// SearchOptions are per-call search settings.
type SearchOptions struct {
	// NProbe is the number of inverted lists visited per query,
	// 1..NList (IVF-PQ; ignored by a flat index).
	NProbe int
	// RefineFactor > 0 re-ranks the best k·RefineFactor PQ candidates
	// exactly with the stored vectors (needs Refine storage); 0 returns PQ
	// estimates.
	RefineFactor int
	// Threads splits a batch of queries over this many threads; 0 or 1
	// runs on the calling thread.
	Threads int
	// Exclude lists ids, sorted ascending, that no result may contain
	// (blocked authors' posts, already seen). Read in place, not copied.
	Exclude []int64
}

// SearchWith is Search with options. Rows are as in Search; an IVF-PQ row
// may hold fewer than k results when the probed lists hold fewer
// candidates, and the return value is the largest count in any row. For
// IVF-PQ, k must not exceed Len().
//
// Like Search it is zero-copy and allocation-free: queries, opts.Exclude,
// ids and dists are passed to the library as pointers.
func (x *Index) SearchWith(queries []float32, k int, opts SearchOptions, ids []int64, dists []float32) (int, error) {
	const op = "search"
	if x == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if k < 1 {
		return 0, checkError(op, ErrInvalidArgument, "k = %d, must be at least 1", k)
	}
	if opts.NProbe < 0 || opts.RefineFactor < 0 || opts.Threads < 0 {
		return 0, checkError(op, ErrInvalidArgument, "negative option (nprobe %d, refine factor %d, threads %d)",
			opts.NProbe, opts.RefineFactor, opts.Threads)
	}
	if !slices.IsSorted(opts.Exclude) {
		return 0, checkError(op, ErrInvalidArgument, "exclude list is not sorted ascending")
	}
	if len(queries)%x.dim != 0 {
		return 0, checkError(op, ErrDimension, "%d values is not a multiple of dimension %d", len(queries), x.dim)
	}
	n := len(queries) / x.dim
	if n > 0 && k > math.MaxInt/n {
		return 0, checkError(op, ErrInvalidArgument, "n*k overflows (n = %d, k = %d)", n, k)
	}
	if need := n * k; len(ids) < need || len(dists) < need {
		return 0, checkError(op, ErrInvalidArgument,
			"%d queries with k = %d need %d ids and distances, have %d and %d", n, k, need, len(ids), len(dists))
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if n == 0 {
		return 0, nil
	}
	p := C.vs_search_params{
		nprobe:        C.size_t(opts.NProbe),
		refine_factor: C.size_t(opts.RefineFactor),
		threads:       C.size_t(opts.Threads),
	}
	var excl *C.int64_t
	if len(opts.Exclude) > 0 {
		excl = (*C.int64_t)(unsafe.Pointer(&opts.Exclude[0]))
	}
	var msg msgBuf
	var found C.size_t
	rc := C.vs_index_search_opts(x.h, C.size_t(n), C.size_t(x.dim), (*C.float)(unsafe.Pointer(&queries[0])),
		C.size_t(k), &p, excl, C.size_t(len(opts.Exclude)),
		(*C.int64_t)(unsafe.Pointer(&ids[0])), (*C.float)(unsafe.Pointer(&dists[0])), &found,
		&msg[0], errBufLen)
	if rc != statusOK {
		return 0, statusError(op, rc, &msg)
	}
	return int(found), nil
}

// SearchTimed is for benchmarks: it runs SearchWith's search repeats times
// back to back inside the library and returns the library's own total time
// for them (a monotonic clock read in Rust), so a caller can set the
// Rust-internal time per search beside the time a SearchWith call takes
// from Go. ids and dists hold the last repetition's results. It is as
// zero-copy and allocation-free as SearchWith.
func (x *Index) SearchTimed(queries []float32, k int, opts SearchOptions, repeats int, ids []int64, dists []float32) (int, time.Duration, error) {
	const op = "search"
	if x == nil {
		return 0, 0, &Error{Op: op, Kind: ErrClosed}
	}
	if repeats < 1 {
		return 0, 0, checkError(op, ErrInvalidArgument, "repeats = %d, must be at least 1", repeats)
	}
	if k < 1 {
		return 0, 0, checkError(op, ErrInvalidArgument, "k = %d, must be at least 1", k)
	}
	if opts.NProbe < 0 || opts.RefineFactor < 0 || opts.Threads < 0 {
		return 0, 0, checkError(op, ErrInvalidArgument, "negative option (nprobe %d, refine factor %d, threads %d)",
			opts.NProbe, opts.RefineFactor, opts.Threads)
	}
	if !slices.IsSorted(opts.Exclude) {
		return 0, 0, checkError(op, ErrInvalidArgument, "exclude list is not sorted ascending")
	}
	if len(queries) == 0 || len(queries)%x.dim != 0 {
		return 0, 0, checkError(op, ErrDimension, "%d values is not a positive multiple of dimension %d", len(queries), x.dim)
	}
	n := len(queries) / x.dim
	if k > math.MaxInt/n {
		return 0, 0, checkError(op, ErrInvalidArgument, "n*k overflows (n = %d, k = %d)", n, k)
	}
	if need := n * k; len(ids) < need || len(dists) < need {
		return 0, 0, checkError(op, ErrInvalidArgument,
			"%d queries with k = %d need %d ids and distances, have %d and %d", n, k, need, len(ids), len(dists))
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, 0, &Error{Op: op, Kind: ErrClosed}
	}
	p := C.vs_search_params{
		nprobe:        C.size_t(opts.NProbe),
		refine_factor: C.size_t(opts.RefineFactor),
		threads:       C.size_t(opts.Threads),
	}
	var excl *C.int64_t
	if len(opts.Exclude) > 0 {
		excl = (*C.int64_t)(unsafe.Pointer(&opts.Exclude[0]))
	}
	var msg msgBuf
	var found C.size_t
	var ns C.uint64_t
	rc := C.vs_index_search_timed(x.h, C.size_t(n), C.size_t(x.dim), (*C.float)(unsafe.Pointer(&queries[0])),
		C.size_t(k), &p, excl, C.size_t(len(opts.Exclude)), C.size_t(repeats),
		(*C.int64_t)(unsafe.Pointer(&ids[0])), (*C.float)(unsafe.Pointer(&dists[0])), &found, &ns,
		&msg[0], errBufLen)
	if rc != statusOK {
		return 0, 0, statusError(op, rc, &msg)
	}
	return int(found), time.Duration(ns), nil
}

// Save writes the index to path atomically (a temporary file in the same
// directory, fsynced, then renamed over path), in a versioned, checksummed
// format. Searches continue meanwhile; adds and removes wait.
func (x *Index) Save(path string) error {
	const op = "save"
	if x == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	if path == "" {
		return checkError(op, ErrInvalidArgument, "empty path")
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg msgBuf
	if rc := C.vs_index_save(x.h, cpath, &msg[0], errBufLen); rc != statusOK {
		return statusError(op, rc, &msg)
	}
	return nil
}

// Load reads an index written by Save. A truncated, corrupted or
// future-version file gives ErrCorrupt; an unreadable one ErrIO. The caller
// must Close the index.
func Load(path string) (*Index, error) {
	const op = "load"
	if path == "" {
		return nil, checkError(op, ErrInvalidArgument, "empty path")
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var h *C.vs_index
	var msg msgBuf
	if rc := C.vs_index_load(cpath, &h, &msg[0], errBufLen); rc != statusOK {
		return nil, statusError(op, rc, &msg)
	}
	var st C.vs_stats
	if rc := C.vs_index_stats(h, &st, &msg[0], errBufLen); rc != statusOK {
		err := statusError(op, rc, &msg)
		C.vs_index_free(h, nil, 0)
		return nil, err
	}
	return &Index{h: h, dim: int(st.d), metric: Metric(st.metric)}, nil
}

// Stats describes an index.
type Stats struct {
	// Kind is the index structure.
	Kind Kind
	// Dim is the vector dimension.
	Dim int
	// Metric is the ranking metric.
	Metric Metric
	// Len is the number of live (not removed) vectors.
	Len int
	// Tombstones is the number of removed vectors still taking space.
	Tombstones int
	// MemoryBytes is the heap held by the library for this index.
	MemoryBytes int
	// NList, M and NBits are the IVF-PQ shape (0 for flat).
	NList, M, NBits int
	// Refine is the re-rank storage kind.
	Refine RefineStorage
	// Trained reports whether the index can accept vectors and searches.
	Trained bool
}

// Stats returns the index's statistics.
func (x *Index) Stats() (Stats, error) {
	const op = "stats"
	if x == nil {
		return Stats{}, &Error{Op: op, Kind: ErrClosed}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return Stats{}, &Error{Op: op, Kind: ErrClosed}
	}
	var st C.vs_stats
	var msg msgBuf
	if rc := C.vs_index_stats(x.h, &st, &msg[0], errBufLen); rc != statusOK {
		return Stats{}, statusError(op, rc, &msg)
	}
	return Stats{
		Kind:        Kind(st.kind),
		Dim:         int(st.d),
		Metric:      Metric(st.metric),
		Len:         int(st.len),
		Tombstones:  int(st.tombstones),
		MemoryBytes: int(st.memory_bytes),
		NList:       int(st.nlist),
		M:           int(st.m),
		NBits:       int(st.nbits),
		Refine:      RefineStorage(st.refine),
		Trained:     st.trained != 0,
	}, nil
}
