package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/starling-social/starling/go/vecsearch"
)

// ffiResult is one JSON line of `ffi`: the cost of one kind of call across
// the cgo boundary. Documented in bench/README.md.
type ffiResult struct {
	Engine        string  `json:"engine"`
	Bench         string  `json:"bench"`
	Op            string  `json:"op"`
	NBase         int     `json:"n_base,omitempty"`
	Dim           int     `json:"dim,omitempty"`
	K             int     `json:"k,omitempty"`
	Batch         int     `json:"batch,omitempty"`
	Calls         int     `json:"calls"`
	NsPerCall     float64 `json:"ns_per_call"`
	AllocsPerCall float64 `json:"allocs_per_call"`
	BytesPerCall  float64 `json:"bytes_per_call"`
	provenance
}

// ffiCase is one measured call: setup builds what the call needs and
// returns it, with a cleanup.
type ffiCase struct {
	op                   string
	nBase, dim, k, batch int
	calls                int
}

func runFFI(e *env, args []string) error {
	fs := flag.NewFlagSet("ffi", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	calls := fs.Int("calls", 1_000_000, "calls per measurement of a cheap call (len); searches use calls/100 or fewer")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench ffi [flags]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *calls < 100 {
		return usagef("--calls must be at least 100, got %d", *calls)
	}
	cases := []ffiCase{
		// Len does no work in the library: the cost of crossing.
		{op: "len", calls: *calls},
		// A search over 16 tiny vectors: crossing plus the search machinery.
		{op: "search_flat", nBase: 16, dim: 16, k: 10, batch: 1, calls: *calls / 10},
		// A realistic single query and a small batch.
		{op: "search_flat", nBase: 10_000, dim: 100, k: 10, batch: 1, calls: max(100, *calls/1000)},
		{op: "search_flat", nBase: 10_000, dim: 100, k: 10, batch: 16, calls: max(100, *calls/10000)},
	}
	prov := newProvenance(e.command)
	for _, c := range cases {
		res, err := measureFFI(e, c)
		if err != nil {
			return err
		}
		res.provenance = prov
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// measureFFI times c.calls calls on a monotonic clock and counts heap
// allocations over the same loop with runtime.MemStats.
func measureFFI(e *env, c ffiCase) (*ffiResult, error) {
	dim := max(c.dim, 8)
	idx, err := vecsearch.NewFlat(dim, vecsearch.L2)
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	r := rand.New(rand.NewPCG(1, 2))
	randVecs := func(n int) []float32 {
		v := make([]float32, n*dim)
		for i := range v {
			v[i] = r.Float32()
		}
		return v
	}
	nBase := max(c.nBase, 1)
	ids := make([]int64, nBase)
	for i := range ids {
		ids[i] = int64(i)
	}
	if err := idx.Add(randVecs(nBase), ids); err != nil {
		return nil, err
	}
	var call func() error
	switch c.op {
	case "len":
		call = func() error { _, err := idx.Len(); return err }
	case "search_flat":
		q := randVecs(c.batch)
		out := make([]int64, c.batch*c.k)
		dists := make([]float32, c.batch*c.k)
		call = func() error { _, err := idx.Search(q, c.k, out, dists); return err }
	default:
		return nil, fmt.Errorf("unknown op %q", c.op)
	}
	fmt.Fprintf(e.stderr, "ffi %s n_base=%d dim=%d k=%d batch=%d: %d calls\n", c.op, c.nBase, c.dim, c.k, c.batch, c.calls)
	for range min(c.calls/10, 1000) { // warm up caches and the branch predictor
		if err := call(); err != nil {
			return nil, err
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range c.calls {
		if err := call(); err != nil {
			return nil, err
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	n := float64(c.calls)
	return &ffiResult{
		Engine:        "starling",
		Bench:         "ffi",
		Op:            c.op,
		NBase:         c.nBase,
		Dim:           c.dim,
		K:             c.k,
		Batch:         c.batch,
		Calls:         c.calls,
		NsPerCall:     float64(elapsed.Nanoseconds()) / n,
		AllocsPerCall: float64(after.Mallocs-before.Mallocs) / n,
		BytesPerCall:  float64(after.TotalAlloc-before.TotalAlloc) / n,
	}, nil
}
