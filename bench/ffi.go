package main

import (
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
	// IVF-PQ cases (op search_ivfpq) only: the index, and the same search
	// timed inside the library (vs_index_search_timed) beside the Go call.
	NList  int `json:"nlist,omitempty"`
	M      int `json:"m,omitempty"`
	NProbe int `json:"nprobe,omitempty"`
	Rounds int `json:"rounds,omitempty"`
	// RustNsPerCall is the median over rounds of the library's own time
	// per search; NsPerCall is then the median over rounds of the Go
	// call's time, and OverheadNs the median of the per-round differences.
	RustNsPerCall *float64 `json:"rust_ns_per_call,omitempty"`
	OverheadNs    *float64 `json:"overhead_ns,omitempty"`
	provenance
}

// ffiCase is one measured call: setup builds what the call needs and
// returns it, with a cleanup.
type ffiCase struct {
	op                   string
	nBase, dim, k, batch int
	calls                int
	// search_ivfpq only.
	nlist, m, nprobe int
}

// ffiRounds is the number of alternating Rust-internal / Go rounds of a
// search_ivfpq case: medians over rounds damp a shared machine's noise.
const ffiRounds = 21

func runFFI(e *env, args []string) error {
	fs := flag.NewFlagSet("ffi", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	calls := fs.Int("calls", 1_000_000, "calls per measurement of a cheap call (len); searches use calls/100 or fewer")
	ivfN := fs.Int("ivfpq-n", 20_000, "vectors in the search_ivfpq cases' index (random, d 100)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench ffi [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *calls < 100 {
		return usagef("--calls must be at least 100, got %d", *calls)
	}
	if *ivfN < 256 {
		return usagef("--ivfpq-n must be at least 256 (nlist), got %d", *ivfN)
	}
	cases := []ffiCase{
		// Len does no work in the library: the cost of crossing.
		{op: "len", calls: *calls},
		// A search over 16 tiny vectors: crossing plus the search machinery.
		{op: "search_flat", nBase: 16, dim: 16, k: 10, batch: 1, calls: *calls / 10},
		// A realistic single query and a small batch.
		{op: "search_flat", nBase: 10_000, dim: 100, k: 10, batch: 1, calls: max(100, *calls/1000)},
		{op: "search_flat", nBase: 10_000, dim: 100, k: 10, batch: 16, calls: max(100, *calls/10000)},
		// Through Go vs inside Rust: one IVF-PQ query (the target:
		// within 1 µs of the Rust-internal time, 0 allocations).
		{op: "search_ivfpq", nBase: *ivfN, dim: 100, k: 10, batch: 1, nlist: 256, m: 20, nprobe: 1, calls: max(100, *calls/1000)},
		{op: "search_ivfpq", nBase: *ivfN, dim: 100, k: 10, batch: 1, nlist: 256, m: 20, nprobe: 16, calls: max(100, *calls/1000)},
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
	if c.op == "search_ivfpq" {
		return measureIVFPQ(e, c)
	}
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

// measureIVFPQ times one IVF-PQ query two ways on the same index, query and
// options, in alternating rounds: c.calls SearchWith calls from Go
// (monotonic clock around the loop, allocations counted over it), and
// c.calls searches inside the library (SearchTimed: the library's own
// clock around the same search, no cgo crossing). The difference is what
// the binding adds per call: cgo, the read lock, the argument checks.
func measureIVFPQ(e *env, c ffiCase) (*ffiResult, error) {
	idx, err := vecsearch.NewIVFPQ(vecsearch.IVFPQConfig{
		Dim: c.dim, Metric: vecsearch.L2, NList: c.nlist, M: c.m, NBits: 8,
		Seed: 1234, TrainThreads: 1,
	})
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	r := rand.New(rand.NewPCG(3, 4))
	base := make([]float32, c.nBase*c.dim)
	for i := range base {
		base[i] = r.Float32()
	}
	ids := make([]int64, c.nBase)
	for i := range ids {
		ids[i] = int64(i)
	}
	fmt.Fprintf(e.stderr, "ffi %s n_base=%d dim=%d nlist=%d m=%d: building\n", c.op, c.nBase, c.dim, c.nlist, c.m)
	if err := idx.Train(base); err != nil {
		return nil, err
	}
	if err := idx.Add(base, ids); err != nil {
		return nil, err
	}
	q := base[:c.dim] // a stored vector: a realistic, non-empty neighbourhood
	out := make([]int64, c.k)
	dists := make([]float32, c.k)
	opts := vecsearch.SearchOptions{NProbe: c.nprobe, Threads: 1}
	goCall := func() error { _, err := idx.SearchWith(q, c.k, opts, out, dists); return err }
	fmt.Fprintf(e.stderr, "ffi %s nprobe=%d: %d rounds of %d calls\n", c.op, c.nprobe, ffiRounds, c.calls)
	for range min(c.calls, 1000) { // warm up: caches, the thread's search scratch
		if err := goCall(); err != nil {
			return nil, err
		}
	}
	goNs := make([]float64, 0, ffiRounds)
	rustNs := make([]float64, 0, ffiRounds)
	diff := make([]float64, 0, ffiRounds)
	var mallocs, bytes uint64
	var before, after runtime.MemStats
	for range ffiRounds {
		_, inside, err := idx.SearchTimed(q, c.k, opts, c.calls, out, dists)
		if err != nil {
			return nil, err
		}
		runtime.ReadMemStats(&before)
		start := time.Now()
		for range c.calls {
			if err := goCall(); err != nil {
				return nil, err
			}
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		mallocs += after.Mallocs - before.Mallocs
		bytes += after.TotalAlloc - before.TotalAlloc
		g := float64(elapsed.Nanoseconds()) / float64(c.calls)
		rs := float64(inside.Nanoseconds()) / float64(c.calls)
		goNs, rustNs, diff = append(goNs, g), append(rustNs, rs), append(diff, g-rs)
	}
	n := float64(c.calls * ffiRounds)
	rust, over := median(rustNs), median(diff)
	return &ffiResult{
		Engine:        "starling",
		Bench:         "ffi",
		Op:            c.op,
		NBase:         c.nBase,
		Dim:           c.dim,
		K:             c.k,
		Batch:         c.batch,
		Calls:         c.calls * ffiRounds,
		NsPerCall:     median(goNs),
		AllocsPerCall: float64(mallocs) / n,
		BytesPerCall:  float64(bytes) / n,
		NList:         c.nlist,
		M:             c.m,
		NProbe:        c.nprobe,
		Rounds:        ffiRounds,
		RustNsPerCall: &rust,
		OverheadNs:    &over,
	}, nil
}
