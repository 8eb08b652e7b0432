package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-social/starling/go/vecsearch"
)

// errHelp is returned when -h was given: usage was printed, exit 0.
var errHelp = flag.ErrHelp

// annConfig is the parsed command line of `ann`.
type annConfig struct {
	base, query, gt string
	metric          string
	k               int
	index           string
	threads         int
	dataset         string
}

// annResult is one JSON line of `ann`. Documented field by field in
// bench/README.md; keep the two in step.
type annResult struct {
	Engine         string         `json:"engine"`
	Bench          string         `json:"bench"`
	Dataset        string         `json:"dataset"`
	Index          string         `json:"index"`
	BuildArgs      map[string]any `json:"build_args"`
	QueryArgs      map[string]any `json:"query_args"`
	Metric         string         `json:"metric"`
	K              int            `json:"k"`
	Threads        int            `json:"threads"`
	NBase          int            `json:"n_base"`
	NQuery         int            `json:"n_query"`
	Dim            int            `json:"dim"`
	RecallAt1      float64        `json:"recall_at_1"`
	RecallAt10     *float64       `json:"recall_at_10"`
	RecallAtK      float64        `json:"recall_at_k"`
	QPS            float64        `json:"qps"`
	BatchS         float64        `json:"batch_s"`
	SingleQPS      float64        `json:"single_qps"`
	P50US          float64        `json:"p50_us"`
	P95US          float64        `json:"p95_us"`
	P99US          float64        `json:"p99_us"`
	MaxUS          float64        `json:"max_us"`
	AddS           float64        `json:"add_s"`
	MemoryBytes    int            `json:"memory_bytes"`
	BytesPerVector float64        `json:"bytes_per_vector"`
	MaxDistErr     float64        `json:"max_dist_err"`
	Mismatches     int            `json:"single_batch_mismatches"`
	provenance
}

func parseANN(e *env, args []string) (annConfig, error) {
	var c annConfig
	fs := flag.NewFlagSet("ann", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.base, "base", "", "base vectors, .fvecs (required)")
	fs.StringVar(&c.query, "query", "", "query vectors, .fvecs (required)")
	fs.StringVar(&c.gt, "gt", "", "ground truth: true neighbour ids per query, best first, .ivecs (required)")
	fs.StringVar(&c.metric, "metric", "", "l2, ip, or angular (= normalise then l2) (required)")
	fs.IntVar(&c.k, "k", 10, "neighbours per query")
	fs.StringVar(&c.index, "index", "flat", "index type: flat")
	fs.IntVar(&c.threads, "threads", 1, "goroutines issuing searches (each search call is single-threaded)")
	fs.StringVar(&c.dataset, "dataset", "", "dataset name in results (default: the folder holding --base)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench ann --base B.fvecs --query Q.fvecs --gt G.ivecs --metric l2|ip|angular [flags]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, errHelp
		}
		return c, usageError{err}
	}
	if fs.NArg() > 0 {
		return c, usagef("unexpected arguments %q", fs.Args())
	}
	for _, f := range []struct{ name, path string }{{"--base", c.base}, {"--query", c.query}, {"--gt", c.gt}} {
		if f.path == "" {
			return c, usagef("%s is required", f.name)
		}
		if st, err := os.Stat(f.path); err != nil {
			return c, usagef("%s: %v", f.name, err)
		} else if st.IsDir() {
			return c, usagef("%s: %s is a directory", f.name, f.path)
		}
	}
	if _, err := parseMetric(c.metric); err != nil {
		return c, err
	}
	if c.k < 1 {
		return c, usagef("--k must be at least 1, got %d", c.k)
	}
	if c.threads < 1 {
		return c, usagef("--threads must be at least 1, got %d", c.threads)
	}
	if _, err := newAlgorithm(c.index, vecsearch.L2); err != nil {
		return c, err
	}
	if c.dataset == "" {
		abs, err := filepath.Abs(c.base)
		if err != nil {
			return c, usageError{err}
		}
		c.dataset = filepath.Base(filepath.Dir(abs))
	}
	return c, nil
}

// parseMetric maps --metric to the index metric; angular indexes unit
// vectors with L2 (same ranking as cosine).
func parseMetric(s string) (vecsearch.Metric, error) {
	switch s {
	case "l2", "angular":
		return vecsearch.L2, nil
	case "ip":
		return vecsearch.InnerProduct, nil
	case "":
		return 0, usagef("--metric is required (l2, ip or angular)")
	}
	return 0, usagef("--metric %q is not one of l2, ip, angular", s)
}

// dataset is the loaded input.
type dataset struct {
	base, queries []float32
	nBase, nQuery int
	dim           int
	gt            []int32
	gtK           int
}

func loadDataset(e *env, c annConfig) (*dataset, error) {
	var ds dataset
	var err error
	var qd, gtRows int
	fmt.Fprintf(e.stderr, "loading %s\n", c.base)
	if ds.base, ds.nBase, ds.dim, err = readFvecs(c.base); err != nil {
		return nil, usageError{err}
	}
	if ds.queries, ds.nQuery, qd, err = readFvecs(c.query); err != nil {
		return nil, usageError{err}
	}
	if ds.gt, gtRows, ds.gtK, err = readIvecs(c.gt); err != nil {
		return nil, usageError{err}
	}
	switch {
	case qd != ds.dim:
		return nil, usagef("queries have dimension %d, base vectors %d", qd, ds.dim)
	case gtRows != ds.nQuery:
		return nil, usagef("ground truth has %d rows for %d queries", gtRows, ds.nQuery)
	case c.k > ds.gtK:
		return nil, usagef("--k %d exceeds the %d neighbours per query in the ground truth", c.k, ds.gtK)
	}
	if c.metric == "angular" {
		normalize(ds.base, ds.dim)
		normalize(ds.queries, ds.dim)
	}
	return &ds, nil
}

// normalize scales each row to unit length (zero rows stay zero).
func normalize(v []float32, d int) {
	for r := 0; r < len(v); r += d {
		row := v[r : r+d]
		var s float64
		for _, x := range row {
			s += float64(x) * float64(x)
		}
		if s == 0 {
			continue
		}
		inv := 1 / math.Sqrt(s)
		for i := range row {
			row[i] = float32(float64(row[i]) * inv)
		}
	}
}

func runANN(e *env, args []string) error {
	c, err := parseANN(e, args)
	if err != nil {
		return err
	}
	metric, _ := parseMetric(c.metric)
	ds, err := loadDataset(e, c)
	if err != nil {
		return err
	}
	alg, err := newAlgorithm(c.index, metric)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "building %s over %d x %d (%s)\n", alg.name(), ds.nBase, ds.dim, c.metric)
	start := time.Now()
	if err := alg.fit(ds.base, ds.dim); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	addS := time.Since(start).Seconds()
	defer alg.close()
	mem, err := alg.memoryBytes()
	if err != nil {
		return err
	}

	// One point of the query-argument sweep (flat has none); IVF-PQ will
	// loop here over nprobe / re-rank depth with the same built index.
	for _, qargs := range []map[string]any{{}} {
		if err := alg.setQueryArguments(qargs); err != nil {
			return err
		}
		res, err := measure(e, c, ds, alg, metric)
		if err != nil {
			return err
		}
		res.BuildArgs, res.QueryArgs = alg.buildArgs(), qargs
		res.AddS = addS
		res.MemoryBytes = mem
		res.BytesPerVector = float64(mem) / float64(ds.nBase)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// measure runs the batch pass and the per-query pass and checks both.
func measure(e *env, c annConfig, ds *dataset, alg algorithm, metric vecsearch.Metric) (*annResult, error) {
	k, d, nq := c.k, ds.dim, ds.nQuery

	// Batch pass: the whole query set, split into one contiguous chunk per
	// thread, each chunk one call.
	fmt.Fprintf(e.stderr, "batch search: %d queries, k=%d, %d thread(s)\n", nq, k, c.threads)
	batchIDs := make([]int64, nq*k)
	batchDists := make([]float32, nq*k)
	start := time.Now()
	err := parallelChunks(nq, c.threads, func(lo, hi int) error {
		return alg.batchQuery(ds.queries[lo*d:hi*d], k, batchIDs[lo*k:hi*k], batchDists[lo*k:hi*k])
	})
	batchS := time.Since(start).Seconds()
	if err != nil {
		return nil, fmt.Errorf("batch search: %w", err)
	}

	// Per-query pass: one call per query, for the latency distribution.
	fmt.Fprintf(e.stderr, "single-query search: %d queries\n", nq)
	ids := make([]int64, nq*k)
	dists := make([]float32, nq*k)
	lat := make([]time.Duration, nq)
	var next atomic.Int64
	start = time.Now()
	err = parallelChunks(c.threads, c.threads, func(int, int) error {
		for {
			i := int(next.Add(1) - 1)
			if i >= nq {
				return nil
			}
			t0 := time.Now()
			err := alg.query(ds.queries[i*d:(i+1)*d], k, ids[i*k:(i+1)*k], dists[i*k:(i+1)*k])
			lat[i] = time.Since(t0)
			if err != nil {
				return err
			}
		}
	})
	singleS := time.Since(start).Seconds()
	if err != nil {
		return nil, fmt.Errorf("single-query search: %w", err)
	}

	// Trust nothing: ids must be real and unique, distances must be the
	// metric's and sorted.
	maxErr := 0.0
	for _, pass := range []struct {
		name  string
		ids   []int64
		dists []float32
	}{{"batch", batchIDs, batchDists}, {"single", ids, dists}} {
		if err := checkIDs(pass.ids, k, ds.nBase); err != nil {
			return nil, fmt.Errorf("%s results: %w", pass.name, err)
		}
		e, err := checkDistances(pass.ids, pass.dists, k, ds, metric)
		if err != nil {
			return nil, fmt.Errorf("%s results: %w", pass.name, err)
		}
		maxErr = max(maxErr, e)
	}
	mismatches := 0
	for i := range batchIDs {
		if batchIDs[i] != ids[i] {
			mismatches++
		}
	}

	slices.Sort(lat)
	res := &annResult{
		Engine:     "starling",
		Bench:      "ann",
		Dataset:    c.dataset,
		Index:      alg.name(),
		Metric:     c.metric,
		K:          k,
		Threads:    c.threads,
		NBase:      ds.nBase,
		NQuery:     nq,
		Dim:        d,
		RecallAt1:  recallAt(1, batchIDs, k, ds.gt, ds.gtK),
		RecallAtK:  recallAt(k, batchIDs, k, ds.gt, ds.gtK),
		QPS:        float64(nq) / batchS,
		BatchS:     batchS,
		SingleQPS:  float64(nq) / singleS,
		P50US:      micros(percentile(lat, 0.50)),
		P95US:      micros(percentile(lat, 0.95)),
		P99US:      micros(percentile(lat, 0.99)),
		MaxUS:      micros(lat[len(lat)-1]),
		MaxDistErr: maxErr,
		Mismatches: mismatches,
		provenance: newProvenance(e.command),
	}
	if k >= 10 {
		r := recallAt(10, batchIDs, k, ds.gt, ds.gtK)
		res.RecallAt10 = &r
	}
	return res, nil
}

// checkDistances recomputes, in float64, the metric between each query and
// each returned base vector and returns the largest error of the reported
// distance, relative to max(|exact|, 1). It fails if that exceeds 1e-3 or
// if a row is not sorted best first.
func checkDistances(ids []int64, dists []float32, k int, ds *dataset, metric vecsearch.Metric) (float64, error) {
	d := ds.dim
	worst := 0.0
	for q := range len(ids) / k {
		query := ds.queries[q*d : (q+1)*d]
		for j := range k {
			id := ids[q*k+j]
			if id < 0 {
				break
			}
			exact := exactScore(metric, query, ds.base[int(id)*d:(int(id)+1)*d])
			got := float64(dists[q*k+j])
			rel := math.Abs(got-exact) / math.Max(math.Abs(exact), 1)
			if !(rel <= 1e-3) {
				return 0, fmt.Errorf("query %d id %d: reported distance %g, recomputed %g", q, id, got, exact)
			}
			worst = max(worst, rel)
			if j > 0 && ids[q*k+j-1] >= 0 {
				prev := float64(dists[q*k+j-1])
				if (metric == vecsearch.L2 && got < prev) || (metric == vecsearch.InnerProduct && got > prev) {
					return 0, fmt.Errorf("query %d: results not sorted best first at slot %d", q, j)
				}
			}
		}
	}
	return worst, nil
}

// exactScore is the metric in float64: squared L2 or inner product.
func exactScore(metric vecsearch.Metric, a, b []float32) float64 {
	var s float64
	for i := range a {
		if metric == vecsearch.L2 {
			x := float64(a[i]) - float64(b[i])
			s += x * x
		} else {
			s += float64(a[i]) * float64(b[i])
		}
	}
	return s
}

// parallelChunks splits [0, n) into `parts` contiguous chunks and runs fn
// on each in its own goroutine, returning the first error.
func parallelChunks(n, parts int, fn func(lo, hi int) error) error {
	parts = max(1, min(parts, n))
	var wg sync.WaitGroup
	errs := make([]error, parts)
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() { errs[p] = fn(lo, hi) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// percentile returns the nearest-rank q-quantile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
