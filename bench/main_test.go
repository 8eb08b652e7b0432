package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func toDurations(xs []int) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x)
	}
	return out
}

// runCmd runs the harness in-process and returns status, stdout, stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"starling-bench"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeDataset writes a small random dataset with exact ground truth
// (squared L2, ties by lower id) into dir/name and returns the file paths.
func writeDataset(t *testing.T, dir string, n, nq, d, gtK int) (base, query, gt string) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	vecs := func(rows int) ([][]uint32, [][]float32) {
		raw := make([][]uint32, rows)
		vals := make([][]float32, rows)
		for i := range rows {
			vals[i] = make([]float32, d)
			for j := range d {
				vals[i][j] = r.Float32()
			}
			raw[i] = f32(vals[i]...)
		}
		return raw, vals
	}
	baseRaw, baseVals := vecs(n)
	queryRaw, queryVals := vecs(nq)
	gtRows := make([][]uint32, nq)
	for q := range nq {
		order := make([]int, n)
		dist := make([]float64, n)
		for i := range n {
			order[i] = i
			dist[i] = exactScore(1, queryVals[q], baseVals[i]) // 1 = L2
		}
		sort.SliceStable(order, func(a, b int) bool { return dist[order[a]] < dist[order[b]] })
		for _, id := range order[:gtK] {
			gtRows[q] = append(gtRows[q], uint32(id))
		}
	}
	write := func(file string, rows [][]uint32) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, rowsBytes(rows...), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("base.fvecs", baseRaw), write("query.fvecs", queryRaw), write("gt.ivecs", gtRows)
}

func TestANNEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny-16-euclidean")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base, query, gt := writeDataset(t, dir, 300, 20, 16, 12)
	code, stdout, stderr := runCmd(t, "ann", "--base", base, "--query", query, "--gt", gt, "--metric", "l2", "--threads", "2")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one JSON line on stdout, got %q", stdout)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, lines[0])
	}
	for _, field := range []string{
		"engine", "dataset", "index", "metric", "k", "threads", "n_base", "n_query", "dim",
		"recall_at_1", "recall_at_10", "qps", "batch_s", "batch_s_runs", "repeats", "p50_us", "p95_us", "p99_us", "train_s", "add_s",
		"bytes_per_vector", "nlist", "m", "nbits", "nprobe", "refine", "refine_storage",
		"dist_exact", "max_dist_err", "mean_dist_err", "unsorted_rows",
		"commit", "machine", "command", "timestamp", "rust_lib",
	} {
		if _, ok := res[field]; !ok {
			t.Errorf("result lacks %q", field)
		}
	}
	want := map[string]any{
		"engine": "starling", "dataset": "tiny-16-euclidean", "index": "flat", "metric": "l2",
		"k": 10.0, "threads": 2.0, "n_base": 300.0, "n_query": 20.0, "dim": 16.0,
		// Exact search against exact ground truth.
		"recall_at_1": 1.0, "recall_at_10": 1.0, "single_batch_mismatches": 0.0,
		"dist_exact": true, "unsorted_rows": 0.0, "nprobe": 0.0, "refine_storage": "",
	}
	for k, v := range want {
		if res[k] != v {
			t.Errorf("%s = %v, want %v", k, res[k], v)
		}
	}
	if bpv := res["bytes_per_vector"].(float64); bpv < 16*4+8 {
		t.Errorf("bytes_per_vector = %v, want >= %d", bpv, 16*4+8)
	}
	if m := res["machine"].(map[string]any); m["num_cpu"].(float64) < 1 || m["goarch"] == "" {
		t.Errorf("machine = %v", m)
	}
	if !strings.Contains(res["command"].(string), "--metric l2") {
		t.Errorf("command = %v", res["command"])
	}
	if !strings.Contains(stderr, "batch search") {
		t.Errorf("progress should go to stderr, got %q", stderr)
	}

	// k below 10: recall_at_10 is null, not a wrong number.
	code, stdout, stderr = runCmd(t, "ann", "--base", base, "--query", query, "--gt", gt, "--metric", "angular", "--k", "3", "--dataset", "named")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res["recall_at_10"] != nil || res["dataset"] != "named" || res["k"] != 3.0 {
		t.Errorf("k=3: recall_at_10=%v dataset=%v k=%v", res["recall_at_10"], res["dataset"], res["k"])
	}
	if r := res["recall_at_k"].(float64); math.IsNaN(r) || r < 0 || r > 1 {
		t.Errorf("recall_at_k = %v", r)
	}
}

func TestBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	base, query, gt := writeDataset(t, dir, 50, 5, 4, 5)
	other := filepath.Join(dir, "other.fvecs")
	if err := os.WriteFile(other, rowsBytes(f32(1, 2, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.fvecs")
	if err := os.WriteFile(corrupt, []byte("not vectors at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := []string{"--base", base, "--query", query, "--gt", gt, "--metric", "l2"}
	with := func(extra ...string) []string { return append(append([]string{"ann"}, ok...), extra...) }
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`},
		{"help", []string{"help"}, 0, "usage"},
		{"ann help", []string{"ann", "-h"}, 0, "--base"},
		{"missing base", []string{"ann", "--query", query, "--gt", gt, "--metric", "l2"}, 2, "--base is required"},
		{"missing file", []string{"ann", "--base", filepath.Join(dir, "nope.fvecs"), "--query", query, "--gt", gt, "--metric", "l2"}, 2, "no such file"},
		{"directory", []string{"ann", "--base", dir, "--query", query, "--gt", gt, "--metric", "l2"}, 2, "is a directory"},
		{"no metric", []string{"ann", "--base", base, "--query", query, "--gt", gt}, 2, "--metric is required"},
		{"bad metric", with("--metric", "cosine"), 2, `"cosine" is not one of`},
		{"unknown index", with("--index", "hnsw"), 2, `--index "hnsw" is not supported`},
		{"k zero", with("--k", "0"), 2, "--k must be at least 1"},
		{"k beyond ground truth", with("--k", "6"), 2, "exceeds the 5 neighbours"},
		{"threads zero", with("--threads", "0"), 2, "--threads must be at least 1"},
		{"undefined flag", with("--nprobes", "3"), 2, "flag provided but not defined"},
		{"ivf flag on flat", with("--nprobe", "3"), 2, "--nprobe applies only to --index ivfpq"},
		{"m does not divide d", with("--k", "5", "--index", "ivfpq", "--nlist", "2", "--m", "3", "--nprobe", "1"), 2, "--m 3 does not divide the dimension 4"},
		{"nlist beyond base", with("--k", "5", "--index", "ivfpq", "--nlist", "51", "--m", "2", "--nprobe", "1"), 2, "--nlist 51 exceeds the 50 base vectors"},
		{"faiss missing", with("--compare-faiss", "--python", filepath.Join(dir, "no-python")), 2, "apt-get install python3-faiss python3-numpy libopenblas0-pthread"},
		{"stray argument", with("extra"), 2, "unexpected arguments"},
		{"dimension mismatch", []string{"ann", "--base", base, "--query", other, "--gt", gt, "--metric", "l2"}, 2, "queries have dimension 3"},
		{"corrupt file", []string{"ann", "--base", corrupt, "--query", query, "--gt", gt, "--metric", "l2"}, 2, "not a texmex vector file"},
		{"ffi bad calls", []string{"ffi", "--calls", "5"}, 2, "--calls must be at least 100"},
		{"http data dir without password", []string{"http", "--server", base, "--data-dir", dir}, 2, "--data-dir needs --password"},
		{"http unseeded dir", []string{"http", "--server", base, "--data-dir", dir, "--password", "x"}, 2, "is not a seeded data dir"},
		{"http no viewers", []string{"http", "--server", base, "--data-dir", dir, "--password", "x", "--viewers", "0"}, 2, "--viewers"},
		{"http huge viewers", []string{"http", "--server", base, "--data-dir", dir, "--password", "x", "--viewers", "99999999999"}, 2, "--viewers"},
		{"http negative threshold", []string{"http", "--server", base, "--data-dir", dir, "--password", "x", "--celebrity-threshold", "-1"}, 2, "--celebrity-threshold"},
		{"http data dir and seeding", []string{"http", "--server", base, "--data-dir", dir, "--password", "x", "--accounts", "300"}, 2, "drop --accounts"},
		{"scale without data dir", []string{"scale", "--password", "x"}, 2, "--data-dir and --password are required"},
		{"scale unseeded dir", []string{"scale", "--data-dir", dir, "--password", "x"}, 2, "is not a seeded data dir"},
		{"scale bad profile op", []string{"scale", "--data-dir", dir, "--password", "x", "--server-cpuprofile-op", "home"}, 2, "--server-cpuprofile-op must be"},
		{"scale check queries", []string{"scale", "--data-dir", dir, "--password", "x", "--check-queries", "5000"}, 2, "--check-queries 1 to 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout should stay empty on error, got %q", stdout)
			}
		})
	}
}

func TestFFIOutput(t *testing.T) {
	code, stdout, stderr := runCmd(t, "ffi", "--calls", "1000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 JSON lines, got %d:\n%s", len(lines), stdout)
	}
	for _, l := range lines {
		var res ffiResult
		if err := json.Unmarshal([]byte(l), &res); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if res.Engine != "starling" || res.Bench != "ffi" || res.Calls < 100 || res.NsPerCall <= 0 || res.Machine.NumCPU < 1 {
			t.Errorf("bad result %+v", res)
		}
		if res.Op == "search_ivfpq" {
			// Both clocks reported; no speed assertion (STYLE §6).
			if res.RustNsPerCall == nil || *res.RustNsPerCall <= 0 || res.OverheadNs == nil || res.NProbe < 1 || res.Rounds < 1 {
				t.Errorf("search_ivfpq line lacks the Rust-internal figures: %s", l)
			}
		}
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"bin/starling-bench", "ann", "--base", "/a b/c.fvecs", "--metric=l2", "it's", ""})
	want := `bin/starling-bench ann --base '/a b/c.fvecs' --metric=l2 'it'\''s' ''`
	if got != want {
		t.Errorf("shellJoin = %s, want %s", got, want)
	}
}

// TestEveryCommandTakesProfiles: every subcommand takes --cpuprofile,
// --memprofile and --trace (here with -h, which runs nothing) and writes
// the three files: a gzipped pprof profile each, and a Go execution trace.
func TestEveryCommandTakesProfiles(t *testing.T) {
	for name := range commandTable() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cpu, mem, tr := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof"), filepath.Join(dir, "trace.out")
			code, _, stderr := runCmd(t, name, "--cpuprofile", cpu, "-memprofile="+mem, "--trace", tr, "-h")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, f := range []struct{ path, magic string }{{cpu, "\x1f\x8b"}, {mem, "\x1f\x8b"}, {tr, "go 1."}} {
				b, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(string(b), f.magic) {
					t.Errorf("%s starts %q, want %q", filepath.Base(f.path), b[:min(len(b), 8)], f.magic)
				}
			}
		})
	}
}
