package vecsearch_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/vecsearch"
)

// newIVFPQ creates, trains and fills a small IVF-PQ index, closed at the
// end of the test.
func newIVFPQ(t testing.TB, cfg vecsearch.IVFPQConfig, n int) (*vecsearch.Index, []float32) {
	t.Helper()
	idx, err := vecsearch.NewIVFPQ(cfg)
	if err != nil {
		t.Fatalf("NewIVFPQ(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := idx.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	base := randomVectors(n, cfg.Dim, 5)
	if err := idx.Train(base); err != nil {
		t.Fatalf("Train: %v", err)
	}
	if err := idx.Add(base, sequentialIDs(n, 0)); err != nil {
		t.Fatalf("Add: %v", err)
	}
	return idx, base
}

func smallConfig(m vecsearch.Metric, r vecsearch.RefineStorage) vecsearch.IVFPQConfig {
	return vecsearch.IVFPQConfig{Dim: 8, Metric: m, NList: 8, M: 4, NBits: 6, Refine: r, Seed: 1, TrainThreads: 1, KMeansIters: 5}
}

func TestIVFPQSearchRemoveStats(t *testing.T) {
	for _, m := range []vecsearch.Metric{vecsearch.L2, vecsearch.InnerProduct, vecsearch.Cosine} {
		idx, base := newIVFPQ(t, smallConfig(m, vecsearch.RefineF32), 300)
		const k = 5
		ids := make([]int64, 2*k)
		dists := make([]float32, 2*k)
		opts := vecsearch.SearchOptions{NProbe: 8, RefineFactor: 60, Threads: 2}
		found, err := idx.SearchWith(base[:16], k, opts, ids, dists)
		if err != nil || found != k {
			t.Fatalf("%v: SearchWith = %d, %v", m, found, err)
		}
		if m != vecsearch.InnerProduct && (ids[0] != 0 || ids[k] != 1) {
			t.Errorf("%v: a stored vector is not its own nearest neighbour: %v", m, ids)
		}
		opts.Exclude = []int64{0, 1}
		if _, err := idx.SearchWith(base[:16], k, opts, ids, dists); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id == 0 || id == 1 {
				t.Errorf("%v: excluded id %d returned", m, id)
			}
		}
		if n, err := idx.Remove([]int64{2, 3, 3, 1000}); err != nil || n != 2 {
			t.Fatalf("Remove = %d, %v", n, err)
		}
		st, err := idx.Stats()
		if err != nil {
			t.Fatal(err)
		}
		want := vecsearch.Stats{Kind: vecsearch.KindIVFPQ, Dim: 8, Metric: m, Len: 298, Tombstones: 2,
			NList: 8, M: 4, NBits: 6, Refine: vecsearch.RefineF32, Trained: true, MemoryBytes: st.MemoryBytes}
		if st != want || st.MemoryBytes < 300*(4+8+32) {
			t.Errorf("Stats = %+v, want %+v", st, want)
		}
		if err := idx.Compact(); err != nil {
			t.Fatal(err)
		}
		if st, _ := idx.Stats(); st.Tombstones != 0 || st.Len != 298 {
			t.Errorf("after Compact: %+v", st)
		}
	}
}

func TestIVFPQErrors(t *testing.T) {
	if _, err := vecsearch.NewIVFPQ(vecsearch.IVFPQConfig{Dim: 10, NList: 4, M: 3, Metric: vecsearch.L2}); !errors.Is(err, vecsearch.ErrInvalidArgument) {
		t.Errorf("m not dividing d: %v", err)
	}
	if _, err := vecsearch.NewIVFPQ(vecsearch.IVFPQConfig{Dim: 10, NList: 4, M: 5, Metric: 99}); !errors.Is(err, vecsearch.ErrInvalidArgument) {
		t.Errorf("bad metric: %v", err)
	}
	idx, err := vecsearch.NewIVFPQ(smallConfig(vecsearch.L2, vecsearch.RefineNone))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ids := make([]int64, 1)
	dists := make([]float32, 1)
	q := make([]float32, 8)
	if _, err := idx.SearchWith(q, 1, vecsearch.SearchOptions{NProbe: 1}, ids, dists); !errors.Is(err, vecsearch.ErrNotTrained) {
		t.Errorf("untrained search: %v", err)
	}
	if err := idx.Add(q, []int64{1}); !errors.Is(err, vecsearch.ErrNotTrained) {
		t.Errorf("untrained add: %v", err)
	}
	if err := idx.Train(randomVectors(4, 8, 1)); !errors.Is(err, vecsearch.ErrInvalidArgument) {
		t.Errorf("too few training vectors: %v", err)
	}
	if err := idx.Train(q[:7]); !errors.Is(err, vecsearch.ErrDimension) {
		t.Errorf("wrong dimension: %v", err)
	}
	if err := idx.Train(randomVectors(200, 8, 1)); err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(randomVectors(20, 8, 2), sequentialIDs(20, 0)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		k    int
		opts vecsearch.SearchOptions
		want error
	}{
		{"nprobe 0", 1, vecsearch.SearchOptions{}, vecsearch.ErrInvalidArgument},
		{"nprobe > nlist", 1, vecsearch.SearchOptions{NProbe: 9}, vecsearch.ErrInvalidArgument},
		{"k > len", 21, vecsearch.SearchOptions{NProbe: 1}, vecsearch.ErrInvalidArgument},
		{"unsorted exclude", 1, vecsearch.SearchOptions{NProbe: 1, Exclude: []int64{3, 1}}, vecsearch.ErrInvalidArgument},
		{"refine without storage", 1, vecsearch.SearchOptions{NProbe: 1, RefineFactor: 2}, vecsearch.ErrUnsupported},
	}
	for _, c := range cases {
		ids := make([]int64, c.k)
		dists := make([]float32, c.k)
		if _, err := idx.SearchWith(q, c.k, c.opts, ids, dists); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	_ = idx.Close()
	if _, err := idx.SearchWith(q, 1, vecsearch.SearchOptions{NProbe: 1}, ids, dists); !errors.Is(err, vecsearch.ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if _, err := idx.Stats(); !errors.Is(err, vecsearch.ErrClosed) {
		t.Errorf("closed stats: %v", err)
	}
}

func TestSearchWithAllocatesNothing(t *testing.T) {
	idx, base := newIVFPQ(t, smallConfig(vecsearch.L2, vecsearch.RefineSQ8), 300)
	ids := make([]int64, 2*5)
	dists := make([]float32, 2*5)
	opts := vecsearch.SearchOptions{NProbe: 4, RefineFactor: 2, Exclude: []int64{1, 2, 3}}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := idx.SearchWith(base[:16], 5, opts, ids, dists); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("SearchWith allocates %.1f times per call, want 0", allocs)
	}
}

func TestSearchTimed(t *testing.T) {
	idx, base := newIVFPQ(t, smallConfig(vecsearch.L2, vecsearch.RefineSQ8), 300)
	q := base[:16]
	opts := vecsearch.SearchOptions{NProbe: 4, RefineFactor: 2, Exclude: []int64{1, 2, 3}}
	wantIDs, wantD := make([]int64, 10), make([]float32, 10)
	wantN, err := idx.SearchWith(q, 5, opts, wantIDs, wantD)
	if err != nil {
		t.Fatal(err)
	}
	ids, dists := make([]int64, 10), make([]float32, 10)
	n, elapsed, err := idx.SearchTimed(q, 5, opts, 20, ids, dists)
	if err != nil {
		t.Fatal(err)
	}
	if n != wantN || !equalInts(ids, wantIDs) || !slices.Equal(dists, wantD) || elapsed <= 0 {
		t.Errorf("SearchTimed = %d %v %v (%v), SearchWith = %d %v %v", n, ids, dists, elapsed, wantN, wantIDs, wantD)
	}
	if _, _, err := idx.SearchTimed(q, 5, opts, 0, ids, dists); !errors.Is(err, vecsearch.ErrInvalidArgument) {
		t.Errorf("repeats 0: %v", err)
	}
	if _, _, err := idx.SearchTimed(nil, 5, opts, 1, ids, dists); !errors.Is(err, vecsearch.ErrDimension) {
		t.Errorf("no queries: %v", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := idx.SearchTimed(q, 5, opts, 1, ids, dists); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("SearchTimed allocates %.1f times per call, want 0", allocs)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	idx, base := newIVFPQ(t, smallConfig(vecsearch.Cosine, vecsearch.RefineSQ8), 300)
	path := filepath.Join(dir, "idx.vs")
	if err := idx.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := vecsearch.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if back.Dim() != 8 || back.Metric() != vecsearch.Cosine {
		t.Errorf("loaded dim %d metric %v", back.Dim(), back.Metric())
	}
	opts := vecsearch.SearchOptions{NProbe: 3, RefineFactor: 2}
	a, b := make([]int64, 5), make([]int64, 5)
	da, db := make([]float32, 5), make([]float32, 5)
	if _, err := idx.SearchWith(base[:8], 5, opts, a, da); err != nil {
		t.Fatal(err)
	}
	if _, err := back.SearchWith(base[:8], 5, opts, b, db); err != nil {
		t.Fatal(err)
	}
	if !equalInts(a, b) {
		t.Errorf("loaded index answers %v, original %v", b, a)
	}
	flat := newFlat(t, 3, vecsearch.L2)
	if err := flat.Add([]float32{1, 2, 3}, []int64{4}); err != nil {
		t.Fatal(err)
	}
	if err := flat.Save(filepath.Join(dir, "flat.vs")); err != nil {
		t.Fatal(err)
	}
	f2, err := vecsearch.Load(filepath.Join(dir, "flat.vs"))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if n, _ := f2.Len(); n != 1 {
		t.Errorf("loaded flat len %d", n)
	}
	// Corrupt and missing files.
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 0xff
	bad := filepath.Join(dir, "bad.vs")
	if err := os.WriteFile(bad, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := vecsearch.Load(bad); !errors.Is(err, vecsearch.ErrCorrupt) {
		t.Errorf("corrupt file: %v", err)
	}
	if err := os.WriteFile(bad, raw[:len(raw)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := vecsearch.Load(bad); !errors.Is(err, vecsearch.ErrCorrupt) {
		t.Errorf("truncated file: %v", err)
	}
	if _, err := vecsearch.Load(filepath.Join(dir, "missing")); !errors.Is(err, vecsearch.ErrIO) {
		t.Errorf("missing file: %v", err)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestIVFPQConcurrent runs searches while other goroutines add, remove and
// compact; run it under -race.
func TestIVFPQConcurrent(t *testing.T) {
	idx, base := newIVFPQ(t, smallConfig(vecsearch.L2, vecsearch.RefineF32), 300)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 100 {
			id := int64(1000 + i)
			if err := idx.Add(base[(i%300)*8:(i%300+1)*8], []int64{id}); err != nil {
				t.Error(err)
				return
			}
			if i%10 == 0 {
				if _, err := idx.Remove([]int64{id - 3}); err != nil {
					t.Error(err)
				}
			}
			if i%25 == 0 {
				if err := idx.Compact(); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]int64, 4)
			dists := make([]float32, 4)
			for i := range 100 {
				q := base[((i*7+g)%300)*8:][:8]
				if _, err := idx.SearchWith(q, 4, vecsearch.SearchOptions{NProbe: 4, RefineFactor: 2}, ids, dists); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestIVFPQRecallAndSpeedOnRealData measures recall@10 and single-thread
// QPS on posts-fasttext (nlist 256, m 20) across nprobe. It logs figures
// and checks recall only (speed is the bench's job, not a unit test's).
func TestIVFPQRecallAndSpeedOnRealData(t *testing.T) {
	root := os.Getenv("STARLING_TEST_DATA")
	if root == "" {
		t.Skip("STARLING_TEST_DATA is not set; skipping the IVF-PQ real-data test")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := filepath.Join(root, "posts-fasttext-100-angular")
	base, n, d := readFvecs(t, filepath.Join(dir, "base.fvecs"))
	queries, nq, _ := readFvecs(t, filepath.Join(dir, "query.fvecs"))
	gt, _, gtK := readVecs(t, filepath.Join(dir, "groundtruth.ivecs"))
	idx, err := vecsearch.NewIVFPQ(vecsearch.IVFPQConfig{Dim: d, Metric: vecsearch.L2, NList: 256, M: 20, NBits: 8,
		Refine: vecsearch.RefineSQ8, Seed: 1, TrainThreads: 2, KMeansIters: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Train(base[:30000*d]); err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(base, sequentialIDs(n, 0)); err != nil {
		t.Fatal(err)
	}
	const k = 10
	ids := make([]int64, nq*k)
	dists := make([]float32, nq*k)
	for _, c := range []struct{ nprobe, refine int }{{1, 0}, {4, 0}, {16, 0}, {64, 0}, {16, 10}} {
		start := time.Now()
		if _, err := idx.SearchWith(queries, k, vecsearch.SearchOptions{NProbe: c.nprobe, RefineFactor: c.refine, Threads: 1}, ids, dists); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		hits := 0
		for q := range nq {
			truth := map[int64]bool{}
			for _, w := range gt[q*gtK : q*gtK+k] {
				truth[int64(int32(w))] = true
			}
			for _, id := range ids[q*k : (q+1)*k] {
				if truth[id] {
					hits++
				}
			}
		}
		recall := float64(hits) / float64(nq*k)
		t.Logf("nprobe=%d refine=%d recall@10=%.3f qps=%.0f (1 thread, one batch)", c.nprobe, c.refine, recall, float64(nq)/el.Seconds())
		if c.nprobe == 16 && c.refine == 0 && recall < 0.55 {
			t.Errorf("recall@10 at nprobe 16 = %.3f, want >= 0.55", recall)
		}
	}
}
