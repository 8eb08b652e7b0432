package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// faissScript is bench/faiss_ann.py, embedded so bin/starling-bench runs
// from anywhere; it is written to a temporary folder for each run.
//
//go:embed faiss_ann.py
var faissScript []byte

// faissInstallHint says how to get the FAISS the comparison uses. The bench
// installs nothing itself.
const faissInstallHint = "install Debian's FAISS with: apt-get install python3-faiss python3-numpy libopenblas0-pthread " +
	"(only Debian's own /usr/bin/python3 imports it; another interpreter can be named with --python)"

// faissInfo identifies the FAISS build behind a result.
type faissInfo struct {
	Version        string `json:"version"`
	CompileOptions string `json:"compile_options"`
	Numpy          string `json:"numpy"`
	Python         string `json:"python"`
}

// faissLine is one JSON line printed by faiss_ann.py: the timings and the
// names of the files holding its raw ids and distances. It carries no
// recall; the harness computes that from the ids.
type faissLine struct {
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
	Version        string         `json:"faiss_version"`
	CompileOptions string         `json:"faiss_compile_options"`
	NumpyVersion   string         `json:"numpy_version"`
	IDsBatch       string         `json:"ids_batch"`
	DistsBatch     string         `json:"dists_batch"`
	IDsSingle      string         `json:"ids_single"`
	DistsSingle    string         `json:"dists_single"`
}

// checkFAISS fails with the install hint unless python imports faiss and
// numpy.
func checkFAISS(python string) error {
	out, err := exec.Command(python, "-c", "import faiss, numpy").CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:] // the exception line of a traceback
		}
		if msg == "" {
			msg = err.Error()
		}
		return usagef("--compare-faiss: %s cannot import faiss (%s); %s", python, msg, faissInstallHint)
	}
	return nil
}

// faissRun is one invocation of the script: one index and its sweep.
type faissRun struct {
	index     string // flat, ivfpq, ivfpq-fs or hnsw
	buildArgs map[string]any
	sweep     []map[string]any
}

// faissRuns lists what FAISS runs for c: each index of --index with the
// same build arguments, then HNSW if asked.
func faissRuns(c annConfig) []faissRun {
	var runs []faissRun
	for _, ic := range c.indexConfigs() {
		alg, _ := newAlgorithm(ic)
		runs = append(runs, faissRun{index: ic.index, buildArgs: alg.buildArgs(), sweep: c.querySweep(ic.index)})
	}
	if c.compareHNSW {
		runs = append(runs, faissRun{index: "hnsw", buildArgs: map[string]any{"M": c.hnswM, "ef_construction": c.efC}, sweep: c.querySweep("hnsw")})
	}
	return runs
}

// scriptArgs are the command-line arguments of faiss_ann.py for run.
func (c annConfig) scriptArgs(run faissRun, outDir string) []string {
	ints := func(xs []int) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strconv.Itoa(x)
		}
		return strings.Join(s, ",")
	}
	args := []string{"--base", c.base, "--query", c.query, "--metric", c.metric, "--index", run.index,
		"--dataset", c.dataset, "--k", strconv.Itoa(c.k), "--threads", strconv.Itoa(c.threads),
		"--repeats", strconv.Itoa(c.repeats), "--out-dir", outDir}
	switch {
	case isIVF(run.index):
		nbits := c.nbits
		if run.index == "ivfpq-fs" {
			nbits = 4
		}
		args = append(args, "--nlist", strconv.Itoa(c.nlist), "--m", strconv.Itoa(c.indexM(run.index)), "--nbits", strconv.Itoa(nbits),
			"--nprobe", ints(c.nprobe), "--refine", ints(c.refine), "--seed", strconv.FormatUint(c.seed, 10),
			"--kmeans-iters", strconv.Itoa(c.kmeansIters))
		if c.refineStorage != "none" {
			args = append(args, "--refine-storage", c.refineStorage)
		}
	case run.index == "hnsw":
		args = append(args, "--hnsw-m", strconv.Itoa(c.hnswM), "--ef-construction", strconv.Itoa(c.efC), "--ef-search", ints(c.efSearch))
	}
	return args
}

// runFAISS runs faiss_ann.py for every FAISS index of c on the same files,
// judges its raw ids and distances with the same code as Starling's and
// emits one line per point.
func runFAISS(e *env, c annConfig, ds *dataset) ([]*annResult, error) {
	dir, err := os.MkdirTemp("", "starling-bench-faiss-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "faiss_ann.py")
	if err := os.WriteFile(script, faissScript, 0o644); err != nil {
		return nil, err
	}
	var out []*annResult
	for _, run := range faissRuns(c) {
		outDir, err := os.MkdirTemp(dir, run.index+"-")
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(c.python, append([]string{script}, c.scriptArgs(run, outDir)...)...)
		// One thread means one thread: OpenBLAS (k-means) and OpenMP both.
		t := strconv.Itoa(c.threads)
		cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+t, "OMP_NUM_THREADS="+t)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		cmd.Stderr = e.stderr // progress
		fmt.Fprintf(e.stderr, "faiss: %s %s\n", c.python, shellJoin(cmd.Args[1:]))
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("faiss %s: %s: %w (its messages are above)", run.index, c.python, err)
		}
		lines, err := parseFAISSOutput(&stdout, c, ds, run, outDir)
		if err != nil {
			return nil, fmt.Errorf("faiss %s: %w", run.index, err)
		}
		for _, l := range lines {
			res, err := faissResult(e, c, ds, run, l, outDir)
			if err != nil {
				return nil, fmt.Errorf("faiss %s %v: %w", run.index, l.QueryArgs, err)
			}
			if err := emit(e.stdout, res); err != nil {
				return nil, err
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// parseFAISSOutput reads the script's stdout and validates it against what
// was asked: only JSON lines of the expected shape (unknown fields are an
// error, so the script and this parser cannot drift apart silently), one
// per sweep point in order, the same build arguments and data sizes, sane
// timings, and result files inside outDir.
func parseFAISSOutput(r io.Reader, c annConfig, ds *dataset, run faissRun, outDir string) ([]faissLine, error) {
	var lines []faissLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var l faissLine
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("output line %d is not a result line (%v): %.200s", n, err, text)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) != len(run.sweep) {
		return nil, fmt.Errorf("printed %d result lines, want %d (one per point of %v)", len(lines), len(run.sweep), run.sweep)
	}
	for i, l := range lines {
		if err := validateFAISSLine(l, c, ds, run, i, outDir); err != nil {
			return nil, fmt.Errorf("result line %d: %w", i+1, err)
		}
	}
	return lines, nil
}

// validateFAISSLine checks one parsed line; i is its place in the sweep.
func validateFAISSLine(l faissLine, c annConfig, ds *dataset, run faissRun, i int, outDir string) error {
	switch {
	case l.Engine != "faiss" || l.Bench != "ann":
		return fmt.Errorf("engine %q bench %q, want faiss ann", l.Engine, l.Bench)
	case l.Index != run.index:
		return fmt.Errorf("index %q, want %q", l.Index, run.index)
	case !sameJSON(l.BuildArgs, run.buildArgs):
		return fmt.Errorf("build_args %v, want %v", l.BuildArgs, run.buildArgs)
	case !sameJSON(l.QueryArgs, run.sweep[i]):
		return fmt.Errorf("query_args %v, want %v", l.QueryArgs, run.sweep[i])
	case l.Metric != c.metric || l.K != c.k || l.Threads != c.threads:
		return fmt.Errorf("metric %q k %d threads %d, want %q %d %d", l.Metric, l.K, l.Threads, c.metric, c.k, c.threads)
	case l.NBase != ds.nBase || l.NQuery != ds.nQuery || l.Dim != ds.dim:
		return fmt.Errorf("read %d base and %d queries of dimension %d, want %d, %d, %d", l.NBase, l.NQuery, l.Dim, ds.nBase, ds.nQuery, ds.dim)
	case l.Version == "":
		return errors.New("no faiss_version")
	case l.MemoryBytes <= 0:
		return fmt.Errorf("memory_bytes %d", l.MemoryBytes)
	}
	for name, v := range map[string]float64{"qps": l.QPS, "batch_s": l.BatchS, "single_qps": l.SingleQPS, "p50_us": l.P50US,
		"p95_us": l.P95US, "p99_us": l.P99US, "max_us": l.MaxUS} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s = %v, want a positive number", name, v)
		}
	}
	for name, v := range map[string]float64{"train_s": l.TrainS, "add_s": l.AddS} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s = %v, want a number >= 0", name, v)
		}
	}
	if l.Repeats != c.repeats || len(l.BatchSRuns) != c.repeats {
		return fmt.Errorf("repeats %d with %d batch times, want %d", l.Repeats, len(l.BatchSRuns), c.repeats)
	}
	for _, v := range l.BatchSRuns {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("batch_s_runs %v, want positive numbers", l.BatchSRuns)
		}
	}
	if m := median(l.BatchSRuns); math.Abs(m-l.BatchS) > 1e-9*m {
		return fmt.Errorf("batch_s %v is not the median of batch_s_runs %v", l.BatchS, l.BatchSRuns)
	}
	if rel := math.Abs(l.QPS*l.BatchS-float64(l.NQuery)) / float64(l.NQuery); rel > 1e-6 {
		return fmt.Errorf("qps %v is not n_query / batch_s (%v)", l.QPS, float64(l.NQuery)/l.BatchS)
	}
	if !(l.P50US <= l.P95US && l.P95US <= l.P99US && l.P99US <= l.MaxUS) {
		return fmt.Errorf("latency percentiles out of order: %v %v %v %v", l.P50US, l.P95US, l.P99US, l.MaxUS)
	}
	for _, f := range []string{l.IDsBatch, l.DistsBatch, l.IDsSingle, l.DistsSingle} {
		if f == "" || f != filepath.Base(f) || strings.HasPrefix(f, ".") {
			return fmt.Errorf("result file %q is not a plain file name in the output folder", f)
		}
		if _, err := os.Stat(filepath.Join(outDir, f)); err != nil {
			return err
		}
	}
	return nil
}

// sameJSON compares two argument maps as JSON would (numbers as float64).
func sameJSON(a, b map[string]any) bool {
	norm := func(m map[string]any) any {
		raw, _ := json.Marshal(m)
		var v any
		_ = json.Unmarshal(raw, &v)
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// faissResult turns a validated line into a result: reads the raw ids and
// distances and judges them with evaluate, as for Starling.
func faissResult(e *env, c annConfig, ds *dataset, run faissRun, l faissLine, outDir string) (*annResult, error) {
	k := c.k
	readIDs := func(name string) ([]int64, error) {
		raw, rows, dim, err := readIvecs(filepath.Join(outDir, name))
		if err != nil {
			return nil, err
		}
		if rows != ds.nQuery || dim != k {
			return nil, fmt.Errorf("%s: %d rows of %d ids, want %d of %d", name, rows, dim, ds.nQuery, k)
		}
		ids := make([]int64, len(raw))
		for i, v := range raw {
			ids[i] = int64(v)
		}
		return ids, nil
	}
	readDists := func(name string) ([]float32, error) {
		d, rows, dim, err := readFvecs(filepath.Join(outDir, name))
		if err != nil {
			return nil, err
		}
		if rows != ds.nQuery || dim != k {
			return nil, fmt.Errorf("%s: %d rows of %d distances, want %d of %d", name, rows, dim, ds.nQuery, k)
		}
		return d, nil
	}
	batchIDs, err := readIDs(l.IDsBatch)
	if err != nil {
		return nil, err
	}
	ids, err := readIDs(l.IDsSingle)
	if err != nil {
		return nil, err
	}
	batchDists, err := readDists(l.DistsBatch)
	if err != nil {
		return nil, err
	}
	dists, err := readDists(l.DistsSingle)
	if err != nil {
		return nil, err
	}
	res := &annResult{
		Engine: "faiss", Bench: "ann", Dataset: c.dataset, Index: l.Index,
		BuildArgs: run.buildArgs, QueryArgs: l.QueryArgs,
		Metric: c.metric, K: k, Threads: c.threads,
		NBase: ds.nBase, NQuery: ds.nQuery, Dim: ds.dim,
		QPS: l.QPS, BatchS: l.BatchS, BatchSRuns: l.BatchSRuns, Repeats: l.Repeats, SingleQPS: l.SingleQPS,
		P50US: l.P50US, P95US: l.P95US, P99US: l.P99US, MaxUS: l.MaxUS,
		TrainS: l.TrainS, AddS: l.AddS,
		MemoryBytes: l.MemoryBytes, BytesPerVector: float64(l.MemoryBytes) / float64(ds.nBase),
		FAISS:      &faissInfo{Version: l.Version, CompileOptions: l.CompileOptions, Numpy: l.NumpyVersion, Python: c.python},
		provenance: newProvenance(e.command),
	}
	setParams(res)
	if err := evaluate(res, ds, faissExact(res), batchIDs, batchDists, ids, dists); err != nil {
		return nil, err
	}
	return res, nil
}

// faissExact applies the same rule as the Starling algorithms: flat and
// HNSW (flat storage) report exact distances, IVF-PQ only when re-ranked
// from f32 vectors.
func faissExact(r *annResult) bool {
	if isIVF(r.Index) {
		return r.Refine > 0 && r.RefineStorage == "f32"
	}
	return true
}
