package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// flagFiles writes three placeholder input files (parseANN only checks
// they exist) and returns the flags naming them.
func flagFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for _, f := range []string{"base", "query", "gt"} {
		p := filepath.Join(dir, f+".vecs")
		if err := os.WriteFile(p, []byte{1}, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--"+f, p)
	}
	return append(args, "--metric", "angular")
}

func TestParseANNFlags(t *testing.T) {
	files := flagFiles(t)
	ivf := []string{"--index", "ivfpq", "--nlist", "256", "--m", "20"}
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, c annConfig)
	}{
		{name: "flat defaults", check: func(t *testing.T, c annConfig) {
			if !slices.Equal(c.indexes, []string{"flat"}) || c.k != 10 || c.threads != 1 || c.repeats != 5 || c.nbits != 0 || c.compareFAISS {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "ivfpq defaults", args: ivf, check: func(t *testing.T, c annConfig) {
			if c.nlist != 256 || c.m != 20 || c.nbits != 8 || !slices.Equal(c.nprobe, []int{1, 2, 4, 8, 16, 32, 64}) ||
				!slices.Equal(c.refine, []int{0}) || c.refineStorage != "none" || c.seed != 1234 || c.kmeansIters != 25 {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "sweep lists", args: append(slices.Clone(ivf), "--nprobe", "64, 1,8", "--refine", "0,4", "--refine-storage", "sq8", "--threads", "2"),
			check: func(t *testing.T, c annConfig) {
				if !slices.Equal(c.nprobe, []int{64, 1, 8}) || !slices.Equal(c.refine, []int{0, 4}) || c.refineStorage != "sq8" || c.threads != 2 {
					t.Errorf("got %+v", c)
				}
				ics := c.indexConfigs()
				if len(ics) != 1 || ics[0].refineStorage != "sq8" || ics[0].trainThreads != 2 || ics[0].nbits != 8 {
					t.Errorf("index configs %+v", ics)
				}
				sweep := c.querySweep("ivfpq")
				if len(sweep) != 6 || sweep[0]["nprobe"] != 64 || sweep[0]["refine"] != 0 || sweep[5]["nprobe"] != 8 || sweep[5]["refine"] != 4 {
					t.Errorf("sweep %v", sweep)
				}
			}},
		{name: "refine factor implies f32 storage", args: append(slices.Clone(ivf), "--refine", "2"), check: func(t *testing.T, c annConfig) {
			if c.refineStorage != "f32" {
				t.Errorf("refine storage %q", c.refineStorage)
			}
		}},
		{name: "nbits 4 is fast-scan", args: append(slices.Clone(ivf), "--nbits", "4"), check: func(t *testing.T, c annConfig) {
			if !slices.Equal(c.indexes, []string{"ivfpq-fs"}) || c.indexConfigs()[0].nbits != 4 {
				t.Errorf("indexes %v", c.indexes)
			}
		}},
		{name: "several indexes", args: []string{"--index", "ivfpq,ivfpq-fs,flat", "--nlist", "16", "--m", "4", "--nprobe", "1"}, check: func(t *testing.T, c annConfig) {
			ics := c.indexConfigs()
			if len(ics) != 3 || ics[0].nbits != 8 || ics[1].nbits != 4 || ics[2].index != "flat" {
				t.Errorf("index configs %+v", ics)
			}
		}},
		{name: "fast-scan m of its own", args: []string{"--index", "ivfpq,ivfpq-fs", "--nlist", "16", "--m", "4", "--fs-m", "8", "--nprobe", "1", "--compare-faiss"},
			check: func(t *testing.T, c annConfig) {
				ics := c.indexConfigs()
				if len(ics) != 2 || ics[0].m != 4 || ics[1].m != 8 || ics[1].nbits != 4 {
					t.Errorf("index configs %+v", ics)
				}
				runs := faissRuns(c)
				if len(runs) != 2 || runs[0].buildArgs["m"] != 4 || runs[1].buildArgs["m"] != 8 {
					t.Errorf("faiss runs %+v", runs)
				}
				args := strings.Join(c.scriptArgs(runs[1], "/tmp/x"), " ")
				if !strings.Contains(args, "--m 8 ") {
					t.Errorf("faiss fast-scan args %q", args)
				}
			}},
		{name: "fs-m without fast-scan", args: append(slices.Clone(ivf), "--fs-m", "8"), wantErr: "--fs-m applies only to --index ivfpq-fs"},
		{name: "fs-m zero", args: []string{"--index", "ivfpq-fs", "--nlist", "4", "--m", "4", "--fs-m", "0"}, wantErr: "--fs-m must be at least 1"},
		{name: "compare with hnsw", args: append(slices.Clone(ivf), "--compare-faiss", "--compare-faiss-hnsw", "--ef-search", "8,16"), check: func(t *testing.T, c annConfig) {
			if !c.compareFAISS || !c.compareHNSW || c.hnswM != 16 || c.efC != 40 || !slices.Equal(c.efSearch, []int{8, 16}) || c.python != "/usr/bin/python3" {
				t.Errorf("got %+v", c)
			}
			runs := faissRuns(c)
			if len(runs) != 2 || runs[1].index != "hnsw" || len(runs[1].sweep) != 2 {
				t.Errorf("faiss runs %+v", runs)
			}
		}},
		{name: "missing nlist", args: []string{"--index", "ivfpq", "--m", "4"}, wantErr: "--nlist (at least 1) is required"},
		{name: "missing m", args: []string{"--index", "ivfpq", "--nlist", "4"}, wantErr: "--m (at least 1) is required"},
		{name: "bad nbits", args: append(slices.Clone(ivf), "--nbits", "6"), wantErr: "--nbits must be 8 or 4"},
		{name: "fast-scan with nbits 8", args: []string{"--index", "ivfpq-fs", "--nlist", "4", "--m", "4", "--nbits", "8"}, wantErr: "ivfpq-fs uses 4-bit codes"},
		{name: "ivfpq twice via nbits", args: []string{"--index", "ivfpq,ivfpq-fs", "--nlist", "4", "--m", "4", "--nbits", "4"}, wantErr: "lists ivfpq-fs twice"},
		{name: "unknown index", args: []string{"--index", "ivf"}, wantErr: `--index "ivf" is not supported`},
		{name: "nprobe above nlist", args: append(slices.Clone(ivf), "--nprobe", "1,512"), wantErr: "--nprobe: 512 is outside 1..256"},
		{name: "nprobe zero", args: append(slices.Clone(ivf), "--nprobe", "0"), wantErr: "--nprobe: 0 is outside"},
		{name: "nprobe not a number", args: append(slices.Clone(ivf), "--nprobe", "1,x"), wantErr: `--nprobe: "x" is not an integer`},
		{name: "nprobe repeated", args: append(slices.Clone(ivf), "--nprobe", "4,4"), wantErr: "--nprobe: 4 is listed twice"},
		{name: "refine negative", args: append(slices.Clone(ivf), "--refine", "-1"), wantErr: "--refine: -1 is outside"},
		{name: "bad refine storage", args: append(slices.Clone(ivf), "--refine", "2", "--refine-storage", "f16"), wantErr: `--refine-storage "f16" is not one of`},
		{name: "refine storage without refine", args: append(slices.Clone(ivf), "--refine-storage", "sq8"), wantErr: "--refine-storage needs a --refine factor"},
		{name: "seed too large", args: append(slices.Clone(ivf), "--seed", "4294967296"), wantErr: "--seed must be in"},
		{name: "repeats zero", args: []string{"--repeats", "0"}, wantErr: "--repeats must be in 1..1000"},
		{name: "kmeans iters zero", args: append(slices.Clone(ivf), "--kmeans-iters", "0"), wantErr: "--kmeans-iters must be at least 1"},
		{name: "ivf flag on flat", args: []string{"--m", "4"}, wantErr: "--m applies only to --index ivfpq"},
		{name: "hnsw without faiss", args: []string{"--compare-faiss-hnsw"}, wantErr: "--compare-faiss-hnsw needs --compare-faiss"},
		{name: "ef-search without hnsw", args: []string{"--compare-faiss", "--ef-search", "8"}, wantErr: "--ef-search applies only with --compare-faiss-hnsw"},
		{name: "python without faiss", args: []string{"--python", "/usr/bin/python3"}, wantErr: "--python applies only with --compare-faiss"},
		{name: "hnsw m", args: []string{"--compare-faiss", "--compare-faiss-hnsw", "--hnsw-m", "1"}, wantErr: "--hnsw-m must be at least 2"},
		{name: "svg needs k 10", args: []string{"--svg", filepath.Join(t.TempDir(), "x.svg"), "--k", "5"}, wantErr: "needs --k 10 or more"},
		{name: "svg folder missing", args: []string{"--svg", "/no/such/folder/x.svg"}, wantErr: "folder /no/such/folder does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c, err := parseANN(&env{stderr: &stderr}, append(slices.Clone(files), tt.args...))
			if tt.wantErr != "" {
				var ue usageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				} else if !errors.As(err, &ue) {
					t.Fatalf("err %v is not a usage error (exit 2)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseIntList(t *testing.T) {
	tests := []struct {
		in      string
		lo, hi  int
		want    []int
		wantErr string
	}{
		{"1,2,4,8", 1, 64, []int{1, 2, 4, 8}, ""},
		{" 8 , 1 ", 1, 64, []int{8, 1}, ""},
		{"0", 0, 10, []int{0}, ""},
		{"", 1, 64, nil, "is not an integer"},
		{"1,,2", 1, 64, nil, `"" is not an integer`},
		{"1.5", 1, 64, nil, "is not an integer"},
		{"65", 1, 64, nil, "65 is outside 1..64"},
		{"2,2", 1, 64, nil, "listed twice"},
	}
	for _, tt := range tests {
		got, err := parseIntList("--x", tt.in, tt.lo, tt.hi)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseIntList(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseIntList(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}
