package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/store"
)

// indexResult is one run of the server's live index (search.Index) over a
// real vector set: what the server would build, serve and reload.
type indexResult struct {
	provenance
	Bench          string  `json:"bench"` // "index"
	Dataset        string  `json:"dataset"`
	Vectors        int     `json:"vectors"`
	Dim            int     `json:"dim"`
	Kind           string  `json:"kind"`
	NList          int     `json:"nlist"`
	NProbe         int     `json:"nprobe"`
	Refine         int     `json:"refine_factor"`
	BuildSeconds   float64 `json:"build_s"`
	MemoryBytes    int     `json:"memory_bytes"`
	BytesPerVector float64 `json:"bytes_per_vector"`
	Recall10       float64 `json:"recall_at_10"` // search.Index.Check, 200 sampled queries
	Queries        int     `json:"queries"`
	P50Micros      float64 `json:"search_p50_us"` // single thread, k 10, served settings
	P99Micros      float64 `json:"search_p99_us"`
	SaveSeconds    float64 `json:"snapshot_save_s"`
	LoadSeconds    float64 `json:"snapshot_load_s"` // start-up: load and catch up
	SnapshotBytes  int64   `json:"snapshot_bytes"`
}

// memVectors is the vector table the index builds from, in memory.
type memVectors []store.StatusEmbedding

func (m memVectors) ListStatusEmbeddings(_ context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	i := sort.Search(len(m), func(i int) bool { return m[i].StatusID > afterID })
	return m[i:min(i+limit, len(m))], nil
}

func runLiveIndex(e *env, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "texmex dataset directory (base.fvecs, query.fvecs), e.g. ../shared/data/posts-fasttext-100-angular")
	n := fs.Int("n", 0, "vectors to index: the base repeated with small noise up to n (0: the base as it is)")
	nprobe := fs.Int("nprobe", 32, "served nprobe (the server's --index-nprobe default)")
	refine := fs.Int("refine", 16, "served re-rank factor (the server's --index-refine default)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench index --data DIR [--n N] [--nprobe P] [--refine R]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usagef("--data is required")
	}
	base, rows, dim, err := readFvecs(filepath.Join(*data, "base.fvecs"))
	if err != nil {
		return err
	}
	queries, nq, _, err := readFvecs(filepath.Join(*data, "query.fvecs"))
	if err != nil {
		return err
	}
	total := max(*n, rows)
	vecs := make(memVectors, total)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range vecs {
		v := slices.Clone(base[(i%rows)*dim : (i%rows+1)*dim])
		if i >= rows { // a copy: jitter it so it is a distinct point
			var norm float64
			for j := range v {
				v[j] += float32(0.05 * rng.NormFloat64() / math.Sqrt(float64(dim)))
				norm += float64(v[j]) * float64(v[j])
			}
			for j := range v {
				v[j] /= float32(math.Sqrt(norm))
			}
		}
		vecs[i] = store.StatusEmbedding{StatusID: int64(i + 1), Embedding: v}
	}
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	cfg := search.IndexConfig{Name: "statuses", Dim: dim, NProbe: *nprobe, RefineFactor: *refine, TrainThreads: 1}
	idx, err := search.NewIndex(ctx, cfg, vecs, quiet)
	if err != nil {
		return err
	}
	defer idx.Close()
	fmt.Fprintf(e.stderr, "index: building over %d vectors of dim %d\n", total, dim)
	start := time.Now()
	if _, err := idx.Rebuild(ctx); err != nil {
		return err
	}
	res := indexResult{provenance: newProvenance(e.command), Bench: "index", Dataset: filepath.Base(*data),
		Vectors: total, Dim: dim, NProbe: *nprobe, Refine: *refine, BuildSeconds: time.Since(start).Seconds(), Queries: nq}
	st, err := idx.Status()
	if err != nil {
		return err
	}
	res.Kind, res.NList, res.MemoryBytes, res.BytesPerVector = st.Kind, st.NList, st.MemoryBytes, st.BytesPerVector
	check, err := idx.Check(ctx, 200, 10)
	if err != nil {
		return err
	}
	res.Recall10 = check.Recall
	lat := make([]float64, nq)
	for i := range nq {
		t0 := time.Now()
		if _, err := idx.Search(queries[i*dim:(i+1)*dim], 10, nil); err != nil {
			return err
		}
		lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e3
	}
	slices.Sort(lat)
	res.P50Micros, res.P99Micros = lat[nq/2], lat[min(nq-1, nq*99/100)]

	dir, err := os.MkdirTemp("", "starling-bench-index-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start = time.Now()
	if err := idx.Save(dir, "bench"); err != nil {
		return err
	}
	res.SaveSeconds = time.Since(start).Seconds()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			res.SnapshotBytes += fi.Size()
		}
	}
	again, err := search.NewIndex(ctx, cfg, vecs, quiet)
	if err != nil {
		return err
	}
	defer again.Close()
	start = time.Now()
	if err := again.Load(dir, "bench"); err != nil {
		return err
	}
	if _, err := again.CatchUp(ctx); err != nil {
		return err
	}
	res.LoadSeconds = time.Since(start).Seconds()
	return emit(e.stdout, res)
}
