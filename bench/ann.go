package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	indexes         []string // in order; "ivfpq" with --nbits 4 becomes "ivfpq-fs"
	nlist, m, nbits int      // nbits applies to ivfpq; ivfpq-fs is always 4
	fsM             int      // --fs-m: m of ivfpq-fs (0: --m)
	nprobe          []int
	refine          []int  // re-rank factors, 0 = none
	refineStorage   string // none (every refine factor 0), f32 or sq8
	seed            uint64
	kmeansIters     int
	threads         int
	repeats         int
	dataset         string

	compareFAISS bool
	compareHNSW  bool
	python       string
	hnswM, efC   int
	efSearch     []int

	svg string
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
	NList          int            `json:"nlist"`
	M              int            `json:"m"`
	NBits          int            `json:"nbits"`
	NProbe         int            `json:"nprobe"`
	Refine         int            `json:"refine"`
	RefineStorage  string         `json:"refine_storage"`
	EFSearch       int            `json:"ef_search,omitempty"`
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
	BatchSRuns     []float64      `json:"batch_s_runs"`
	Repeats        int            `json:"repeats"`
	SingleQPS      float64        `json:"single_qps"`
	P50US          float64        `json:"p50_us"`
	P95US          float64        `json:"p95_us"`
	P99US          float64        `json:"p99_us"`
	MaxUS          float64        `json:"max_us"`
	TrainS         float64        `json:"train_s"`
	AddS           float64        `json:"add_s"`
	MemoryBytes    int            `json:"memory_bytes"`
	BytesPerVector float64        `json:"bytes_per_vector"`
	DistExact      bool           `json:"dist_exact"`
	MaxDistErr     float64        `json:"max_dist_err"`
	MeanDistErr    float64        `json:"mean_dist_err"`
	UnsortedRows   int            `json:"unsorted_rows"`
	Mismatches     int            `json:"single_batch_mismatches"`
	FAISS          *faissInfo     `json:"faiss,omitempty"`
	provenance
}

// Defaults of the IVF-PQ flags. Seed and k-means iterations are FAISS's
// own defaults (ClusteringParameters), so --compare-faiss changes nothing
// on its side by passing them.
const (
	defaultNProbe      = "1,2,4,8,16,32,64"
	defaultSeed        = 1234
	defaultKMeansIters = 25
	defaultEFSearch    = "16,32,64,128,256"
)

// faissPython is Debian's interpreter, the only one python3-faiss installs
// into (the first python3 on PATH may be another).
const faissPython = "/usr/bin/python3"

func parseANN(e *env, args []string) (annConfig, error) {
	var c annConfig
	var index, nprobe, refine, efSearch string
	var seed int64
	fs := flag.NewFlagSet("ann", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.base, "base", "", "base vectors, .fvecs (required)")
	fs.StringVar(&c.query, "query", "", "query vectors, .fvecs (required)")
	fs.StringVar(&c.gt, "gt", "", "ground truth: true neighbour ids per query, best first, .ivecs (required)")
	fs.StringVar(&c.metric, "metric", "", "l2, ip, or angular (= normalise then l2) (required)")
	fs.IntVar(&c.k, "k", 10, "neighbours per query")
	fs.StringVar(&index, "index", "flat", "index types to build, comma-separated: "+indexNames)
	fs.IntVar(&c.threads, "threads", 1, "threads per batch search (flat: goroutines, each call single-threaded; ivfpq: the library's own threads) and goroutines of the per-query pass")
	fs.IntVar(&c.repeats, "repeats", 5, "batch passes per point; qps uses the median batch time")
	fs.StringVar(&c.dataset, "dataset", "", "dataset name in results (default: the folder holding --base)")
	fs.IntVar(&c.nlist, "nlist", 0, "ivfpq: inverted lists (coarse centroids) (required for ivfpq/ivfpq-fs)")
	fs.IntVar(&c.m, "m", 0, "ivfpq: PQ sub-quantizers; must divide the dimension (required for ivfpq/ivfpq-fs)")
	fs.IntVar(&c.fsM, "fs-m", 0, "ivfpq-fs: PQ sub-quantizers of the fast-scan index when it should differ from --m (default: --m)")
	fs.IntVar(&c.nbits, "nbits", 8, "ivfpq: bits per PQ code, 8, or 4 (= fast-scan, recorded as ivfpq-fs); ivfpq-fs is always 4")
	fs.StringVar(&nprobe, "nprobe", defaultNProbe, "ivfpq: lists probed, comma-separated list swept on one built index")
	fs.StringVar(&refine, "refine", "0", "ivfpq: re-rank factors (re-rank the best k*factor exactly; 0 = none), comma-separated list swept")
	fs.StringVar(&c.refineStorage, "refine-storage", "f32", "ivfpq: re-rank copy of the vectors, f32 or sq8 (built only when a --refine factor is > 0)")
	fs.Int64Var(&seed, "seed", defaultSeed, "ivfpq: k-means seed (0..2^31-1; passed to FAISS too)")
	fs.IntVar(&c.kmeansIters, "kmeans-iters", defaultKMeansIters, "ivfpq: k-means iterations, coarse and PQ (passed to FAISS too)")
	fs.BoolVar(&c.compareFAISS, "compare-faiss", false, "also run FAISS (Debian python3-faiss) with the same parameters on the same data, and print a summary line")
	fs.BoolVar(&c.compareHNSW, "compare-faiss-hnsw", false, "with --compare-faiss: also measure FAISS IndexHNSWFlat")
	fs.StringVar(&c.python, "python", faissPython, "interpreter that imports faiss, for --compare-faiss")
	fs.IntVar(&c.hnswM, "hnsw-m", 16, "FAISS HNSW: links per node (M)")
	fs.IntVar(&c.efC, "ef-construction", 40, "FAISS HNSW: efConstruction")
	fs.StringVar(&efSearch, "ef-search", defaultEFSearch, "FAISS HNSW: efSearch values, comma-separated list swept")
	fs.StringVar(&c.svg, "svg", "", "write a recall@10 vs QPS chart (SVG) to this file")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench ann --base B.fvecs --query Q.fvecs --gt G.ivecs --metric l2|ip|angular [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

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
	if c.repeats < 1 || c.repeats > 1000 {
		return c, usagef("--repeats must be in 1..1000, got %d", c.repeats)
	}
	var err error
	if c.indexes, err = parseIndexes(index, c.nbits, set["nbits"]); err != nil {
		return c, err
	}
	ivf := slices.ContainsFunc(c.indexes, isIVF)
	ivfFlags := []string{"nlist", "m", "fs-m", "nbits", "nprobe", "refine", "refine-storage", "seed", "kmeans-iters"}
	if !ivf {
		for _, f := range ivfFlags {
			if set[f] {
				return c, usagef("--%s applies only to --index ivfpq or ivfpq-fs", f)
			}
		}
		c.nbits = 0
	} else {
		if err := checkIVFFlags(&c, set, nprobe, refine, seed); err != nil {
			return c, err
		}
	}
	if c.compareHNSW && !c.compareFAISS {
		return c, usagef("--compare-faiss-hnsw needs --compare-faiss")
	}
	for _, f := range []string{"hnsw-m", "ef-construction", "ef-search"} {
		if set[f] && !c.compareHNSW {
			return c, usagef("--%s applies only with --compare-faiss-hnsw", f)
		}
	}
	if set["python"] && !c.compareFAISS {
		return c, usagef("--python applies only with --compare-faiss")
	}
	if c.compareHNSW {
		if c.hnswM < 2 {
			return c, usagef("--hnsw-m must be at least 2, got %d", c.hnswM)
		}
		if c.efC < 1 {
			return c, usagef("--ef-construction must be at least 1, got %d", c.efC)
		}
		if c.efSearch, err = parseIntList("--ef-search", efSearch, 1, math.MaxInt32); err != nil {
			return c, err
		}
	}
	if c.svg != "" {
		if c.k < 10 {
			return c, usagef("--svg plots recall@10 and needs --k 10 or more, got %d", c.k)
		}
		if st, err := os.Stat(filepath.Dir(c.svg)); err != nil || !st.IsDir() {
			return c, usagef("--svg: folder %s does not exist", filepath.Dir(c.svg))
		}
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

// parseIndexes parses --index: known names, no repeats. Plain ivfpq with
// --nbits 4 is the library's fast-scan layout, so it is recorded as
// ivfpq-fs; ivfpq-fs alone with an explicit --nbits other than 4 is a
// contradiction.
func parseIndexes(s string, nbits int, nbitsSet bool) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		switch name {
		case "flat", "ivfpq-fs":
		case "ivfpq":
			if nbits == 4 {
				name = "ivfpq-fs"
			}
		default:
			return nil, usagef("--index %q is not supported (available: %s)", name, indexNames)
		}
		if slices.Contains(out, name) {
			return nil, usagef("--index lists %s twice (ivfpq with --nbits 4 is ivfpq-fs)", name)
		}
		out = append(out, name)
	}
	if nbitsSet && nbits != 4 && !slices.Contains(out, "ivfpq") && slices.Contains(out, "ivfpq-fs") {
		return nil, usagef("--index ivfpq-fs uses 4-bit codes; --nbits %d contradicts it", nbits)
	}
	return out, nil
}

// checkIVFFlags validates the IVF-PQ flags of c (set: the flags given).
func checkIVFFlags(c *annConfig, set map[string]bool, nprobe, refine string, seed int64) error {
	var err error
	if !set["nlist"] || c.nlist < 1 {
		return usagef("--nlist (at least 1) is required for --index ivfpq/ivfpq-fs")
	}
	if !set["m"] || c.m < 1 {
		return usagef("--m (at least 1) is required for --index ivfpq/ivfpq-fs")
	}
	if c.nbits != 8 && c.nbits != 4 {
		return usagef("--nbits must be 8 or 4 (fast-scan), got %d", c.nbits)
	}
	if set["fs-m"] {
		if c.fsM < 1 {
			return usagef("--fs-m must be at least 1, got %d", c.fsM)
		}
		if !slices.Contains(c.indexes, "ivfpq-fs") {
			return usagef("--fs-m applies only to --index ivfpq-fs")
		}
	}
	if c.nprobe, err = parseIntList("--nprobe", nprobe, 1, c.nlist); err != nil {
		return err
	}
	if c.refine, err = parseIntList("--refine", refine, 0, 1<<16); err != nil {
		return err
	}
	switch {
	case c.refineStorage != "f32" && c.refineStorage != "sq8":
		return usagef("--refine-storage %q is not one of f32, sq8", c.refineStorage)
	case slices.Max(c.refine) == 0 && set["refine-storage"]:
		return usagef("--refine-storage needs a --refine factor above 0")
	case slices.Max(c.refine) == 0:
		c.refineStorage = "none"
	}
	if seed < 0 || seed > math.MaxInt32 {
		return usagef("--seed must be in 0..%d (FAISS takes an int), got %d", math.MaxInt32, seed)
	}
	c.seed = uint64(seed)
	if c.kmeansIters < 1 {
		return usagef("--kmeans-iters must be at least 1, got %d", c.kmeansIters)
	}
	return nil
}

// parseIntList parses a comma-separated list of distinct integers in
// [lo, hi], keeping the order given.
func parseIntList(flagName, s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, usagef("%s: %q is not an integer (want a comma-separated list like 1,2,4)", flagName, f)
		}
		if v < lo || v > hi {
			return nil, usagef("%s: %d is outside %d..%d", flagName, v, lo, hi)
		}
		if slices.Contains(out, v) {
			return nil, usagef("%s: %d is listed twice", flagName, v)
		}
		out = append(out, v)
	}
	return out, nil
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

// indexM is the PQ m of IVF index name: --fs-m for ivfpq-fs when given,
// else --m.
func (c annConfig) indexM(name string) int {
	if name == "ivfpq-fs" && c.fsM > 0 {
		return c.fsM
	}
	return c.m
}

// indexConfigs are the indexes c asks for, with their build arguments.
func (c annConfig) indexConfigs() []indexConfig {
	metric, _ := parseMetric(c.metric)
	var out []indexConfig
	for _, name := range c.indexes {
		ic := indexConfig{index: name, metric: metric}
		if isIVF(name) {
			ic.nlist, ic.m, ic.nbits = c.nlist, c.indexM(name), c.nbits
			if name == "ivfpq-fs" {
				ic.nbits = 4
			}
			ic.refineStorage, ic.seed, ic.kmeansIters, ic.trainThreads = c.refineStorage, c.seed, c.kmeansIters, c.threads
		}
		out = append(out, ic)
	}
	return out
}

// querySweep is the list of query-argument points for index, in the order
// measured (and asked of FAISS): re-rank factor outer, nprobe inner.
func (c annConfig) querySweep(index string) []map[string]any {
	switch {
	case isIVF(index):
		var out []map[string]any
		for _, r := range c.refine {
			for _, p := range c.nprobe {
				out = append(out, map[string]any{"nprobe": p, "refine": r})
			}
		}
		return out
	case index == "hnsw":
		var out []map[string]any
		for _, ef := range c.efSearch {
			out = append(out, map[string]any{"ef_search": ef})
		}
		return out
	}
	return []map[string]any{{}}
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
	if slices.ContainsFunc(c.indexes, isIVF) {
		switch {
		case ds.dim%c.m != 0:
			return nil, usagef("--m %d does not divide the dimension %d", c.m, ds.dim)
		case c.fsM > 0 && ds.dim%c.fsM != 0:
			return nil, usagef("--fs-m %d does not divide the dimension %d", c.fsM, ds.dim)
		case c.nlist > ds.nBase:
			return nil, usagef("--nlist %d exceeds the %d base vectors", c.nlist, ds.nBase)
		}
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
	if c.compareFAISS {
		// Fail before the long part if FAISS cannot run at all.
		if err := checkFAISS(c.python); err != nil {
			return err
		}
	}
	ds, err := loadDataset(e, c)
	if err != nil {
		return err
	}
	var results []*annResult
	for _, ic := range c.indexConfigs() {
		rs, err := runIndex(e, c, ds, ic)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	if c.compareFAISS {
		faissResults, err := runFAISS(e, c, ds)
		if err != nil {
			return err
		}
		results = append(results, faissResults...)
		if err := emit(e.stdout, summarize(c, ds, results, newProvenance(e.command))); err != nil {
			return err
		}
	}
	if c.svg != "" {
		if err := writeSVGFile(c.svg, c.dataset, results); err != nil {
			return fmt.Errorf("--svg: %w", err)
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", c.svg)
	}
	return nil
}

// runIndex builds one index and measures it at every point of its query
// sweep, emitting one line per point.
func runIndex(e *env, c annConfig, ds *dataset, ic indexConfig) ([]*annResult, error) {
	alg, err := newAlgorithm(ic)
	if err != nil {
		return nil, err
	}
	defer alg.close()
	fmt.Fprintf(e.stderr, "building %s %v over %d x %d (%s)\n", alg.name(), alg.buildArgs(), ds.nBase, ds.dim, c.metric)
	start := time.Now()
	if err := alg.train(ds.base, ds.dim); err != nil {
		return nil, fmt.Errorf("%s: train: %w", ic.index, err)
	}
	trainS := time.Since(start).Seconds()
	start = time.Now()
	if err := alg.add(ds.base); err != nil {
		return nil, fmt.Errorf("%s: add: %w", ic.index, err)
	}
	addS := time.Since(start).Seconds()
	mem, err := alg.memoryBytes()
	if err != nil {
		return nil, err
	}
	var out []*annResult
	for _, qargs := range c.querySweep(ic.index) {
		if err := alg.setQueryArguments(qargs); err != nil {
			return nil, err
		}
		res, err := measure(e, c, ds, alg)
		if err != nil {
			return nil, fmt.Errorf("%s %v: %w", ic.index, qargs, err)
		}
		res.BuildArgs, res.QueryArgs = alg.buildArgs(), qargs
		setParams(res)
		res.TrainS, res.AddS = trainS, addS
		res.MemoryBytes = mem
		res.BytesPerVector = float64(mem) / float64(ds.nBase)
		if err := emit(e.stdout, res); err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// setParams copies the build and query arguments that every line reports
// at top level (nlist, m, nbits, nprobe, refine, ...) out of the maps.
func setParams(r *annResult) {
	num := func(m map[string]any, key string) int {
		switch v := m[key].(type) {
		case int:
			return v
		case float64: // decoded from JSON
			return int(v)
		}
		return 0
	}
	r.NList, r.M, r.NBits = num(r.BuildArgs, "nlist"), num(r.BuildArgs, "m"), num(r.BuildArgs, "nbits")
	r.NProbe, r.Refine, r.EFSearch = num(r.QueryArgs, "nprobe"), num(r.QueryArgs, "refine"), num(r.QueryArgs, "ef_search")
	r.RefineStorage, _ = r.BuildArgs["refine_storage"].(string)
}

// warmupQueries is the size of the untimed warm-up batch before each
// point's batch pass (faiss_ann.py uses the same number).
const warmupQueries = 100

// measure runs the batch pass and the per-query pass and checks both.
func measure(e *env, c annConfig, ds *dataset, alg algorithm) (*annResult, error) {
	k, d, nq := c.k, ds.dim, ds.nQuery

	// Warm-up, untimed: the first warmupQueries queries as one batch, so
	// the first sweep point does not pay for cold caches and page faults
	// the later ones do not. FAISS does the same.
	batchIDs := make([]int64, nq*k)
	batchDists := make([]float32, nq*k)
	w := min(nq, warmupQueries)
	if err := alg.batchQuery(ds.queries[:w*d], k, c.threads, batchIDs[:w*k], batchDists[:w*k]); err != nil {
		return nil, fmt.Errorf("warm-up search: %w", err)
	}

	// Batch pass: the whole query set as one batch, --repeats times; the
	// median time counts (a shared machine's load comes and goes). The
	// index is deterministic, so every repeat writes the same results.
	fmt.Fprintf(e.stderr, "%s: batch search: %d queries, k=%d, %d thread(s), %d time(s)\n", alg.name(), nq, k, c.threads, c.repeats)
	batchRuns := make([]float64, c.repeats)
	for r := range batchRuns {
		start := time.Now()
		err := alg.batchQuery(ds.queries, k, c.threads, batchIDs, batchDists)
		batchRuns[r] = time.Since(start).Seconds()
		if err != nil {
			return nil, fmt.Errorf("batch search: %w", err)
		}
	}
	batchS := median(batchRuns)

	// Per-query pass: one call per query, for the latency distribution.
	fmt.Fprintf(e.stderr, "%s: single-query search: %d queries\n", alg.name(), nq)
	ids := make([]int64, nq*k)
	dists := make([]float32, nq*k)
	lat := make([]time.Duration, nq)
	var next atomic.Int64
	start := time.Now()
	err := parallelChunks(c.threads, c.threads, func(int, int) error {
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
		QPS:        float64(nq) / batchS,
		BatchS:     batchS,
		BatchSRuns: batchRuns,
		Repeats:    c.repeats,
		SingleQPS:  float64(nq) / singleS,
		provenance: newProvenance(e.command),
	}
	slices.Sort(lat)
	res.P50US, res.P95US, res.P99US = micros(percentile(lat, 0.50)), micros(percentile(lat, 0.95)), micros(percentile(lat, 0.99))
	res.MaxUS = micros(lat[len(lat)-1])
	if err := evaluate(res, ds, alg.exactDistances(), batchIDs, batchDists, ids, dists); err != nil {
		return nil, err
	}
	return res, nil
}

// evaluate is the part of the harness that trusts no engine: for both
// passes it checks every id is a base row and appears at most once per
// query, recomputes every returned distance in float64 (exact distances
// must match to 1e-3 and be sorted best first; estimated ones are only
// measured), counts batch/single disagreements, and computes recall from
// the raw ids and the ground truth. It fills res's recall and check fields.
// The same code judges Starling and FAISS.
func evaluate(res *annResult, ds *dataset, exact bool, batchIDs []int64, batchDists []float32, ids []int64, dists []float32) error {
	k := res.K
	metric, _ := parseMetric(res.Metric)
	res.DistExact = exact
	var sumErr float64
	var nErr int
	for _, pass := range []struct {
		name  string
		ids   []int64
		dists []float32
	}{{"batch", batchIDs, batchDists}, {"single", ids, dists}} {
		if err := checkIDs(pass.ids, k, ds.nBase); err != nil {
			return fmt.Errorf("%s results: %w", pass.name, err)
		}
		st, err := checkDistances(pass.ids, pass.dists, k, ds, metric, exact)
		if err != nil {
			return fmt.Errorf("%s results: %w", pass.name, err)
		}
		res.MaxDistErr = max(res.MaxDistErr, st.maxErr)
		sumErr += st.sumErr
		nErr += st.n
		res.UnsortedRows += st.unsorted
	}
	if nErr > 0 {
		res.MeanDistErr = sumErr / float64(nErr)
	}
	res.Mismatches = 0
	for i := range batchIDs {
		if batchIDs[i] != ids[i] {
			res.Mismatches++
		}
	}
	res.RecallAt1 = recallAt(1, batchIDs, k, ds.gt, ds.gtK)
	res.RecallAtK = recallAt(k, batchIDs, k, ds.gt, ds.gtK)
	res.RecallAt10 = nil
	if k >= 10 {
		r := recallAt(10, batchIDs, k, ds.gt, ds.gtK)
		res.RecallAt10 = &r
	}
	return nil
}

// distStats summarises reported distances against the float64
// recomputation: relative errors (to max(|exact|, 1)) and rows not sorted
// best first.
type distStats struct {
	maxErr, sumErr float64
	n, unsorted    int
}

// checkDistances recomputes, in float64, the metric between each query and
// each returned base vector. With exact set it fails if a reported
// distance is off by more than 1e-3 (relative to max(|exact|, 1)) or a row
// is not sorted best first; otherwise (PQ estimates) it only measures the
// error and counts unsorted rows. Non-finite distances always fail.
func checkDistances(ids []int64, dists []float32, k int, ds *dataset, metric vecsearch.Metric, exact bool) (distStats, error) {
	var st distStats
	d := ds.dim
	for q := range len(ids) / k {
		query := ds.queries[q*d : (q+1)*d]
		sorted := true
		for j := range k {
			id := ids[q*k+j]
			if id < 0 {
				break
			}
			got := float64(dists[q*k+j])
			if math.IsNaN(got) || math.IsInf(got, 0) {
				return st, fmt.Errorf("query %d id %d: reported distance %g", q, id, got)
			}
			want := exactScore(metric, query, ds.base[int(id)*d:(int(id)+1)*d])
			rel := math.Abs(got-want) / math.Max(math.Abs(want), 1)
			if exact && !(rel <= 1e-3) {
				return st, fmt.Errorf("query %d id %d: reported distance %g, recomputed %g", q, id, got, want)
			}
			st.maxErr = max(st.maxErr, rel)
			st.sumErr += rel
			st.n++
			if j > 0 {
				prev := float64(dists[q*k+j-1])
				if (metric == vecsearch.L2 && got < prev) || (metric == vecsearch.InnerProduct && got > prev) {
					if exact {
						return st, fmt.Errorf("query %d: results not sorted best first at slot %d", q, j)
					}
					sorted = false
				}
			}
		}
		if !sorted {
			st.unsorted++
		}
	}
	return st, nil
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
