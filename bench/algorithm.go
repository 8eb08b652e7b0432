package main

import (
	"fmt"

	"github.com/starling-social/starling/go/vecsearch"
)

// algorithm is the small interface the ann harness drives, after
// ann-benchmarks' BaseANN: build parameters are fixed at construction
// (buildArgs), query parameters are set per sweep point
// (setQueryArguments), so one built index can be measured across several
// query settings.
type algorithm interface {
	// name is the index type as it appears in results ("flat").
	name() string
	// buildArgs are the construction parameters, recorded in results.
	buildArgs() map[string]any
	// fit builds the index over n = len(base)/d vectors; ids are 0..n-1 so
	// they are ground-truth row numbers.
	fit(base []float32, d int) error
	// setQueryArguments applies one point of a query-parameter sweep.
	setQueryArguments(args map[string]any) error
	// batchQuery searches all queries in one call.
	batchQuery(queries []float32, k int, ids []int64, dists []float32) error
	// query searches one query.
	query(q []float32, k int, ids []int64, dists []float32) error
	// memoryBytes is the index's own accounting of its heap size.
	memoryBytes() (int, error)
	close() error
}

// newAlgorithm builds the algorithm named by --index. Only "flat" exists;
// IVF-PQ joins here with its own build arguments.
func newAlgorithm(index string, metric vecsearch.Metric) (algorithm, error) {
	switch index {
	case "flat":
		return &flatAlgorithm{metric: metric}, nil
	}
	return nil, usagef("--index %q is not supported (available: flat)", index)
}

// flatAlgorithm is the exact flat index of go/vecsearch.
type flatAlgorithm struct {
	metric vecsearch.Metric
	idx    *vecsearch.Index
}

func (f *flatAlgorithm) name() string              { return "flat" }
func (f *flatAlgorithm) buildArgs() map[string]any { return map[string]any{} }

func (f *flatAlgorithm) fit(base []float32, d int) error {
	idx, err := vecsearch.NewFlat(d, f.metric)
	if err != nil {
		return err
	}
	n := len(base) / d
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	if err := idx.Add(base, ids); err != nil {
		idx.Close()
		return err
	}
	f.idx = idx
	return nil
}

func (f *flatAlgorithm) setQueryArguments(args map[string]any) error {
	if len(args) != 0 {
		return fmt.Errorf("flat index takes no query arguments, got %v", args)
	}
	return nil
}

func (f *flatAlgorithm) batchQuery(queries []float32, k int, ids []int64, dists []float32) error {
	_, err := f.idx.Search(queries, k, ids, dists)
	return err
}

func (f *flatAlgorithm) query(q []float32, k int, ids []int64, dists []float32) error {
	_, err := f.idx.Search(q, k, ids, dists)
	return err
}

func (f *flatAlgorithm) memoryBytes() (int, error) { return f.idx.MemoryBytes() }

func (f *flatAlgorithm) close() error { return f.idx.Close() }
