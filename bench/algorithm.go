package main

import (
	"fmt"

	"github.com/starling-social/starling/go/vecsearch"
)

// algorithm is the small interface the ann harness drives, after
// ann-benchmarks' BaseANN: build parameters are fixed at construction
// (buildArgs), query parameters are set per sweep point
// (setQueryArguments), so one built index is measured across several query
// settings (nprobe, re-rank depth).
type algorithm interface {
	// name is the index type as it appears in results ("flat", "ivfpq").
	name() string
	// buildArgs are the construction parameters, recorded in results.
	buildArgs() map[string]any
	// train creates the index for dimension d and trains it on base (a
	// no-op for flat). The harness times it as train_s.
	train(base []float32, d int) error
	// add stores n = len(base)/d vectors with ids 0..n-1, so ids are
	// ground-truth row numbers. The harness times it as add_s.
	add(base []float32) error
	// setQueryArguments applies one point of a query-parameter sweep.
	setQueryArguments(args map[string]any) error
	// exactDistances says whether, at the current query arguments, the
	// reported distances are exact (flat, f32 re-rank) rather than
	// estimates (PQ codes, 8-bit re-rank); the harness holds exact ones to
	// 1e-3 of its own float64 recomputation.
	exactDistances() bool
	// batchQuery searches all queries as one batch using threads threads.
	batchQuery(queries []float32, k, threads int, ids []int64, dists []float32) error
	// query searches one query on the caller's thread.
	query(q []float32, k int, ids []int64, dists []float32) error
	// memoryBytes is the index's own accounting of its heap size.
	memoryBytes() (int, error)
	close() error
}

// indexConfig is one index to build, from the command line: its type and
// build arguments. One run may build several (--index ivfpq,ivfpq-fs).
type indexConfig struct {
	index         string // flat, ivfpq (8-bit codes) or ivfpq-fs (4-bit fast-scan)
	metric        vecsearch.Metric
	nlist, m      int
	nbits         int    // 8 for ivfpq, 4 for ivfpq-fs
	refineStorage string // none, f32 or sq8
	seed          uint64
	kmeansIters   int
	trainThreads  int
}

// isIVF reports whether index is one of the IVF-PQ variants.
func isIVF(index string) bool { return index == "ivfpq" || index == "ivfpq-fs" }

// newAlgorithm returns the algorithm for cfg.index.
func newAlgorithm(cfg indexConfig) (algorithm, error) {
	switch {
	case cfg.index == "flat":
		return &flatAlgorithm{metric: cfg.metric}, nil
	case isIVF(cfg.index):
		return &ivfpqAlgorithm{cfg: cfg}, nil
	}
	return nil, usagef("--index %q is not supported (available: %s)", cfg.index, indexNames)
}

// indexNames lists the --index values.
const indexNames = "flat, ivfpq, ivfpq-fs"

// flatAlgorithm is the exact flat index of go/vecsearch.
type flatAlgorithm struct {
	metric vecsearch.Metric
	idx    *vecsearch.Index
}

func (f *flatAlgorithm) name() string              { return "flat" }
func (f *flatAlgorithm) buildArgs() map[string]any { return map[string]any{} }
func (f *flatAlgorithm) exactDistances() bool      { return true }

func (f *flatAlgorithm) train(_ []float32, d int) error {
	idx, err := vecsearch.NewFlat(d, f.metric)
	if err != nil {
		return err
	}
	f.idx = idx
	return nil
}

func (f *flatAlgorithm) add(base []float32) error {
	return f.idx.Add(base, seqIDs(len(base)/f.idx.Dim()))
}

func (f *flatAlgorithm) setQueryArguments(args map[string]any) error {
	if len(args) != 0 {
		return fmt.Errorf("flat index takes no query arguments, got %v", args)
	}
	return nil
}

// batchQuery: the flat index's Search is single-threaded, so the batch is
// split into one contiguous chunk per thread, each chunk one call.
func (f *flatAlgorithm) batchQuery(queries []float32, k, threads int, ids []int64, dists []float32) error {
	d := f.idx.Dim()
	return parallelChunks(len(queries)/d, threads, func(lo, hi int) error {
		_, err := f.idx.Search(queries[lo*d:hi*d], k, ids[lo*k:hi*k], dists[lo*k:hi*k])
		return err
	})
}

func (f *flatAlgorithm) query(q []float32, k int, ids []int64, dists []float32) error {
	_, err := f.idx.Search(q, k, ids, dists)
	return err
}

func (f *flatAlgorithm) memoryBytes() (int, error) { return f.idx.MemoryBytes() }

func (f *flatAlgorithm) close() error {
	if f.idx == nil {
		return nil
	}
	return f.idx.Close()
}

// seqIDs returns 0..n-1.
func seqIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	return ids
}
