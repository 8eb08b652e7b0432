package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cannedLine is a valid line of faiss_ann.py output for the sweep point
// {nprobe, refine} of an ivfpq run over 100 base, 10 queries of d=8.
func cannedLine(nprobe, refine int) map[string]any {
	return map[string]any{
		"engine": "faiss", "bench": "ann", "dataset": "d", "index": "ivfpq",
		"build_args": map[string]any{"nlist": 4, "m": 2, "nbits": 8, "refine_storage": "f32", "seed": 1234, "kmeans_iters": 25, "train_threads": 1},
		"query_args": map[string]any{"nprobe": nprobe, "refine": refine},
		"metric":     "l2", "k": 3, "threads": 1, "n_base": 100, "n_query": 10, "dim": 8,
		"qps": 10 / 0.002, "batch_s": 0.002, "batch_s_runs": []float64{0.003, 0.002, 0.001}, "repeats": 3, "single_qps": 4000.0,
		"p50_us": 200.0, "p95_us": 250.0, "p99_us": 300.0, "max_us": 310.0,
		"train_s": 0.5, "add_s": 0.01, "memory_bytes": 5000,
		"faiss_version": "1.7.3", "faiss_compile_options": "OPTIMIZE GENERIC", "numpy_version": "1.24.2",
		"ids_batch": "a.ivecs", "dists_batch": "a.fvecs", "ids_single": "b.ivecs", "dists_single": "b.fvecs",
	}
}

func TestParseFAISSOutput(t *testing.T) {
	outDir := t.TempDir()
	for _, f := range []string{"a.ivecs", "a.fvecs", "b.ivecs", "b.fvecs"} {
		if err := os.WriteFile(filepath.Join(outDir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := annConfig{dataset: "d", metric: "l2", k: 3, threads: 1, repeats: 3, indexes: []string{"ivfpq"},
		nlist: 4, m: 2, nbits: 8, nprobe: []int{1, 4}, refine: []int{2}, refineStorage: "f32", seed: 1234, kmeansIters: 25}
	ds := &dataset{nBase: 100, nQuery: 10, dim: 8}
	run := faissRuns(c)[0]
	encode := func(lines ...map[string]any) string {
		var b strings.Builder
		for _, l := range lines {
			raw, err := json.Marshal(l)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(raw)
			b.WriteByte('\n')
		}
		return b.String()
	}
	with := func(key string, v any) map[string]any {
		l := cannedLine(4, 2)
		if v == nil {
			delete(l, key)
		} else {
			l[key] = v
		}
		return l
	}
	tests := []struct {
		name    string
		out     string
		wantErr string
	}{
		{"valid", encode(cannedLine(1, 2), cannedLine(4, 2)), ""},
		{"valid with blank lines", "\n" + encode(cannedLine(1, 2)) + "\n" + encode(cannedLine(4, 2)), ""},
		{"nothing", "", "printed 0 result lines, want 2"},
		{"one line short", encode(cannedLine(1, 2)), "printed 1 result lines, want 2"},
		{"stray text on stdout", "training...\n" + encode(cannedLine(1, 2), cannedLine(4, 2)), "output line 1 is not a result line"},
		{"unknown field", encode(cannedLine(1, 2), with("recall_at_10", 0.9)), `unknown field "recall_at_10"`},
		{"points out of order", encode(cannedLine(4, 2), cannedLine(1, 2)), "query_args map[nprobe:4 refine:2], want map[nprobe:1 refine:2]"},
		{"wrong engine", encode(cannedLine(1, 2), with("engine", "starling")), `engine "starling"`},
		{"wrong index", encode(cannedLine(1, 2), with("index", "ivfpq-fs")), `index "ivfpq-fs", want "ivfpq"`},
		{"other build", encode(cannedLine(1, 2), with("build_args", map[string]any{"nlist": 8})), "build_args"},
		{"other data", encode(cannedLine(1, 2), with("n_query", 9)), "read 100 base and 9 queries"},
		{"other k", encode(cannedLine(1, 2), with("k", 10)), "k 10"},
		{"negative time", encode(cannedLine(1, 2), with("single_qps", -1.0)), "single_qps = -1"},
		{"other repeats", encode(cannedLine(1, 2), with("repeats", 5)), "repeats 5 with 3 batch times, want 3"},
		{"batch_s not the median", encode(cannedLine(1, 2), with("batch_s_runs", []float64{0.001, 0.001, 0.002})), "not the median"},
		{"qps not from batch_s", encode(cannedLine(1, 2), with("qps", 123.0)), "qps 123 is not n_query / batch_s"},
		{"percentiles out of order", encode(cannedLine(1, 2), with("p99_us", 100.0)), "latency percentiles out of order"},
		{"no version", encode(cannedLine(1, 2), with("faiss_version", "")), "no faiss_version"},
		{"file outside the folder", encode(cannedLine(1, 2), with("ids_batch", "../../etc/passwd")), "not a plain file name"},
		{"missing file", encode(cannedLine(1, 2), with("ids_single", "nope.ivecs")), "nope.ivecs"},
		{"missing field", encode(cannedLine(1, 2), with("dists_single", nil)), `result file ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := parseFAISSOutput(strings.NewReader(tt.out), c, ds, run, outDir)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(lines) != 2 || lines[1].QueryArgs["nprobe"] != 4.0 || lines[0].IDsBatch != "a.ivecs" {
					t.Errorf("lines %+v", lines)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestScriptArgs(t *testing.T) {
	c := annConfig{base: "/b.fvecs", query: "/q.fvecs", metric: "angular", dataset: "d", k: 10, threads: 1, repeats: 5,
		indexes: []string{"ivfpq", "ivfpq-fs"}, nlist: 256, m: 20, nbits: 8, nprobe: []int{1, 2}, refine: []int{0, 4},
		refineStorage: "sq8", seed: 7, kmeansIters: 10, compareHNSW: true, hnswM: 16, efC: 40, efSearch: []int{16, 32}}
	runs := faissRuns(c)
	if len(runs) != 3 {
		t.Fatalf("%d runs", len(runs))
	}
	got := []string{
		strings.Join(c.scriptArgs(runs[0], "/out"), " "),
		strings.Join(c.scriptArgs(runs[1], "/out"), " "),
		strings.Join(c.scriptArgs(runs[2], "/out"), " "),
	}
	for i, want := range []string{
		"--index ivfpq --dataset d --k 10 --threads 1 --repeats 5 --out-dir /out --nlist 256 --m 20 --nbits 8 --nprobe 1,2 --refine 0,4 --seed 7 --kmeans-iters 10 --refine-storage sq8",
		"--index ivfpq-fs --dataset d --k 10 --threads 1 --repeats 5 --out-dir /out --nlist 256 --m 20 --nbits 4 ",
		"--index hnsw --dataset d --k 10 --threads 1 --repeats 5 --out-dir /out --hnsw-m 16 --ef-construction 40 --ef-search 16,32",
	} {
		if !strings.Contains(got[i], want) || !strings.HasPrefix(got[i], "--base /b.fvecs --query /q.fvecs --metric angular") {
			t.Errorf("run %d: args %q, want them to contain %q", i, got[i], want)
		}
	}
}

// TestCompareFAISSEndToEnd runs the whole --compare-faiss path on a small
// synthetic dataset when Debian's FAISS is installed (skipped otherwise:
// `make test` does not need FAISS).
func TestCompareFAISSEndToEnd(t *testing.T) {
	if err := exec.Command(faissPython, "-c", "import faiss, numpy").Run(); err != nil {
		t.Skipf("%s cannot import faiss (%v): %s", faissPython, err, faissInstallHint)
	}
	dir := filepath.Join(t.TempDir(), "tiny-16-euclidean")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base, query, gt := writeDataset(t, dir, 600, 20, 16, 10)
	svg := filepath.Join(dir, "chart.svg")
	code, stdout, stderr := runCmd(t, "ann", "--base", base, "--query", query, "--gt", gt, "--metric", "l2",
		"--index", "ivfpq", "--nlist", "4", "--m", "4", "--nprobe", "1,4", "--refine", "0,3", "--kmeans-iters", "5",
		"--compare-faiss", "--compare-faiss-hnsw", "--ef-search", "8,64", "--svg", svg)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	// 4 Starling points, 4 FAISS IVF-PQ points, 2 FAISS HNSW, 1 summary.
	if len(lines) != 11 {
		t.Fatalf("want 11 lines, got %d:\n%s", len(lines), stdout)
	}
	engines := map[string]int{}
	for _, l := range lines[:10] {
		var r annResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		engines[r.Engine+" "+r.Index]++
		if r.RecallAt10 == nil || *r.RecallAt10 < 0 || *r.RecallAt10 > 1 || r.QPS <= 0 || r.BytesPerVector <= 0 || r.Commit == "" && r.Machine.NumCPU < 1 {
			t.Errorf("bad line %s", l)
		}
		if r.Engine == "faiss" && (r.FAISS == nil || r.FAISS.Version == "") {
			t.Errorf("faiss line without version: %s", l)
		}
		// Everything probed and re-ranked from f32: both engines find
		// (almost) the exact answer.
		if r.Index == "ivfpq" && r.NProbe == 4 && r.Refine == 3 && (*r.RecallAt10 < 0.9 || !r.DistExact) {
			t.Errorf("nprobe=nlist refine=3: recall@10 %v, dist_exact %v", *r.RecallAt10, r.DistExact)
		}
	}
	if engines["starling ivfpq"] != 4 || engines["faiss ivfpq"] != 4 || engines["faiss hnsw"] != 2 {
		t.Errorf("lines per engine/index: %v", engines)
	}
	var s compareSummary
	if err := json.Unmarshal([]byte(lines[10]), &s); err != nil {
		t.Fatal(err)
	}
	if s.Bench != "ann-compare" || len(s.Settings) != 4 || s.FAISSHNSW == nil || s.FAISS == nil || s.QPSRatioMedian <= 0 {
		t.Errorf("summary %s", lines[10])
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "faiss hnsw M=16") {
		t.Errorf("svg: %v", err)
	}
	if !strings.Contains(stderr, "faiss_ann: ivfpq") {
		t.Errorf("the script's progress should reach stderr")
	}
}
