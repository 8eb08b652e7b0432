package vecsearch_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/vecsearch"
)

// randomVectors returns n*d values in [-1, 1) from a fixed seed.
func randomVectors(n, d int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 42))
	v := make([]float32, n*d)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

// sequentialIDs returns ids base, base+1, ...
func sequentialIDs(n int, base int64) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = base + int64(i)
	}
	return ids
}

// newFlat creates an index closed at the end of the test.
func newFlat(t testing.TB, d int, m vecsearch.Metric) *vecsearch.Index {
	t.Helper()
	idx, err := vecsearch.NewFlat(d, m)
	if err != nil {
		t.Fatalf("NewFlat(%d, %v): %v", d, m, err)
	}
	t.Cleanup(func() {
		if err := idx.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return idx
}

// score computes the metric in float64, the way the ground truth would.
func score(m vecsearch.Metric, a, b []float32) float64 {
	var s float64
	for i := range a {
		if m == vecsearch.L2 {
			d := float64(a[i]) - float64(b[i])
			s += d * d
		} else {
			s += float64(a[i]) * float64(b[i])
		}
	}
	return s
}

// bruteForce returns the ids of the k best base rows for q, best first
// (ties by lower id).
func bruteForce(m vecsearch.Metric, d int, base []float32, ids []int64, q []float32, k int) []int64 {
	type hit struct {
		s  float64
		id int64
	}
	hits := make([]hit, len(ids))
	for i := range ids {
		s := score(m, q, base[i*d:(i+1)*d])
		if m == vecsearch.InnerProduct {
			s = -s
		}
		hits[i] = hit{s, ids[i]}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].s != hits[b].s {
			return hits[a].s < hits[b].s
		}
		return hits[a].id < hits[b].id
	})
	out := make([]int64, 0, k)
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, h.id)
	}
	return out
}

func TestSearchMatchesBruteForce(t *testing.T) {
	for _, m := range []vecsearch.Metric{vecsearch.L2, vecsearch.InnerProduct} {
		t.Run("metric="+m.String(), func(t *testing.T) {
			const d, n, nq, k = 37, 3000, 40, 10 // d not a multiple of the SIMD width
			idx := newFlat(t, d, m)
			base := randomVectors(n, d, 1)
			ids := sequentialIDs(n, 5000)
			// Two adds, so results span both.
			if err := idx.Add(base[:1000*d], ids[:1000]); err != nil {
				t.Fatal(err)
			}
			if err := idx.Add(base[1000*d:], ids[1000:]); err != nil {
				t.Fatal(err)
			}
			if got, err := idx.Len(); err != nil || got != n {
				t.Fatalf("Len() = %d, %v; want %d", got, err, n)
			}
			queries := randomVectors(nq, d, 2)
			gotIDs := make([]int64, nq*k)
			gotDists := make([]float32, nq*k)
			found, err := idx.Search(queries, k, gotIDs, gotDists)
			if err != nil || found != k {
				t.Fatalf("Search = %d, %v; want %d, nil", found, err, k)
			}
			byID := func(id int64) []float32 { i := int(id - 5000); return base[i*d : (i+1)*d] }
			for qi := range nq {
				q := queries[qi*d : (qi+1)*d]
				want := bruteForce(m, d, base, ids, q, k)
				for j := range k {
					got := gotIDs[qi*k+j]
					exact := score(m, q, byID(got))
					// The reported distance is the metric's, in float32.
					if diff := math.Abs(float64(gotDists[qi*k+j]) - exact); diff > 1e-4*math.Max(1, math.Abs(exact)) {
						t.Errorf("query %d slot %d: distance %v, exact %v", qi, j, gotDists[qi*k+j], exact)
					}
					// Same id as brute force, or a float32/float64 near-tie.
					if got != want[j] && math.Abs(exact-score(m, q, byID(want[j]))) > 1e-4 {
						t.Errorf("query %d slot %d: id %d, brute force %d", qi, j, got, want[j])
					}
				}
			}
		})
	}
}

func TestSearchPadsWhenKExceedsLen(t *testing.T) {
	idx := newFlat(t, 2, vecsearch.L2)
	ids := make([]int64, 4)
	dists := make([]float32, 4)
	found, err := idx.Search([]float32{0, 0}, 4, ids, dists)
	if err != nil || found != 0 {
		t.Fatalf("empty index: Search = %d, %v", found, err)
	}
	if err := idx.Add([]float32{3, 0, 1, 0}, []int64{7, 8}); err != nil {
		t.Fatal(err)
	}
	found, err = idx.Search([]float32{0, 0}, 4, ids, dists)
	if err != nil || found != 2 {
		t.Fatalf("Search = %d, %v; want 2", found, err)
	}
	if want := []int64{8, 7, -1, -1}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	if dists[0] != 1 || dists[1] != 9 || !math.IsInf(float64(dists[2]), 1) {
		t.Errorf("dists = %v", dists)
	}
	// Empty query batch: nothing to do.
	if found, err := idx.Search(nil, 4, nil, nil); err != nil || found != 0 {
		t.Errorf("Search(nil) = %d, %v", found, err)
	}
	// Longer output slices are fine; only the first n*k are written.
	longIDs := []int64{0, 0, 0, 0, 0, 99}
	if _, err := idx.Search([]float32{0, 0}, 4, longIDs, make([]float32, 6)); err != nil || longIDs[5] != 99 {
		t.Errorf("long outputs: %v, %v", err, longIDs)
	}
}

func TestSearchUnsafeMatchesSearch(t *testing.T) {
	const d, k = 8, 3
	idx := newFlat(t, d, vecsearch.InnerProduct)
	base := randomVectors(50, d, 3)
	if err := idx.Add(base, sequentialIDs(50, 0)); err != nil {
		t.Fatal(err)
	}
	q := randomVectors(2, d, 4)
	ids1, d1 := make([]int64, 2*k), make([]float32, 2*k)
	ids2, d2 := make([]int64, 2*k), make([]float32, 2*k)
	if _, err := idx.Search(q, k, ids1, d1); err != nil {
		t.Fatal(err)
	}
	found, err := idx.SearchUnsafe(unsafePointer(&q[0]), 2, k, unsafePointer(&ids2[0]), unsafePointer(&d2[0]))
	if err != nil || found != k {
		t.Fatalf("SearchUnsafe = %d, %v", found, err)
	}
	if !slices.Equal(ids1, ids2) || !slices.Equal(d1, d2) {
		t.Errorf("SearchUnsafe %v %v, Search %v %v", ids2, d2, ids1, d1)
	}
}

// TestSearchDoesNotAllocate is the zero-copy contract: the library writes
// into the caller's slices and the message buffer stays on the stack.
func TestSearchDoesNotAllocate(t *testing.T) {
	const d, k = 16, 5
	idx := newFlat(t, d, vecsearch.L2)
	if err := idx.Add(randomVectors(100, d, 5), sequentialIDs(100, 0)); err != nil {
		t.Fatal(err)
	}
	q := randomVectors(3, d, 6)
	ids := make([]int64, 3*k)
	dists := make([]float32, 3*k)
	var err error
	if allocs := testing.AllocsPerRun(100, func() { _, err = idx.Search(q, k, ids, dists) }); allocs != 0 {
		t.Errorf("Search: %v allocations per call, want 0", allocs)
	}
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() { _, err = idx.Len() }); allocs != 0 {
		t.Errorf("Len: %v allocations per call, want 0", allocs)
	}
	vec := randomVectors(1, d, 7)
	id := []int64{1000}
	if allocs := testing.AllocsPerRun(100, func() { err = idx.Add(vec, id) }); allocs != 0 {
		t.Errorf("Add: %v allocations per call (Go side), want 0", allocs)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	idx := newFlat(t, 2, vecsearch.L2)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	out := make([]int64, 4)
	dists := make([]float32, 4)
	tests := []struct {
		name    string
		call    func() error
		want    error
		message string // substring of the error text; from Rust when crossing
	}{
		{"new dim 0", func() error { _, err := vecsearch.NewFlat(0, vecsearch.L2); return err }, vecsearch.ErrInvalidArgument, "dimension 0"},
		{"new unknown metric", func() error { _, err := vecsearch.NewFlat(4, vecsearch.Metric(99)); return err }, vecsearch.ErrInvalidArgument, "unknown metric 99"},
		{"new zero metric", func() error { _, err := vecsearch.NewFlat(4, 0); return err }, vecsearch.ErrInvalidArgument, "unknown metric 0"},
		{"add wrong dimension", func() error { return idx.Add([]float32{1, 2, 3}, []int64{1}) }, vecsearch.ErrDimension, "multiple of dimension 2"},
		{"add ids mismatch", func() error { return idx.Add([]float32{1, 2}, []int64{1, 2}) }, vecsearch.ErrInvalidArgument, "2 ids for 1 vectors"},
		{"add NaN", func() error { return idx.Add([]float32{1, nan}, []int64{1}) }, vecsearch.ErrInvalidArgument, "must be finite"},
		{"add Inf", func() error { return idx.Add([]float32{inf, 0}, []int64{1}) }, vecsearch.ErrInvalidArgument, "must be finite"},
		{"add negative id", func() error { return idx.Add([]float32{1, 2}, []int64{-1}) }, vecsearch.ErrInvalidArgument, "negative"},
		{"search k 0", func() error { _, err := idx.Search([]float32{1, 2}, 0, out, dists); return err }, vecsearch.ErrInvalidArgument, "k = 0"},
		{"search k negative", func() error { _, err := idx.Search([]float32{1, 2}, -3, out, dists); return err }, vecsearch.ErrInvalidArgument, "k = -3"},
		{"search wrong dimension", func() error { _, err := idx.Search([]float32{1, 2, 3}, 1, out, dists); return err }, vecsearch.ErrDimension, "multiple of dimension 2"},
		{"search ids too short", func() error { _, err := idx.Search([]float32{1, 2, 3, 4}, 3, out, dists); return err }, vecsearch.ErrInvalidArgument, "need 6 ids"},
		{"search dists too short", func() error { _, err := idx.Search([]float32{1, 2}, 2, out, dists[:1]); return err }, vecsearch.ErrInvalidArgument, "need 2 ids"},
		{"search NaN query", func() error { _, err := idx.Search([]float32{nan, 2}, 1, out, dists); return err }, vecsearch.ErrInvalidArgument, "must be finite"},
		{"search huge k", func() error { _, err := idx.Search([]float32{1, 2, 3, 4}, math.MaxInt, out, dists); return err }, vecsearch.ErrInvalidArgument, "overflows"},
		{"unsafe search k 0", func() error { _, err := idx.SearchUnsafe(nil, 1, 0, nil, nil); return err }, vecsearch.ErrInvalidArgument, "k = 0"},
		{"unsafe search nil queries", func() error { _, err := idx.SearchUnsafe(nil, 1, 1, nil, nil); return err }, vecsearch.ErrNull, "x is NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %q, want it to mention %q", err, tt.message)
			}
		})
	}
	// None of the failed adds stored anything.
	if n, err := idx.Len(); n != 0 || err != nil {
		t.Errorf("Len() = %d, %v after failed adds", n, err)
	}
}

func TestClose(t *testing.T) {
	idx, err := vecsearch.NewFlat(2, vecsearch.L2)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add([]float32{1, 2}, []int64{1}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // idempotent
		if err := idx.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	checks := map[string]error{
		"add": idx.Add([]float32{1, 2}, []int64{2}),
	}
	_, checks["search"] = idx.Search([]float32{1, 2}, 1, make([]int64, 1), make([]float32, 1))
	_, checks["search unsafe"] = idx.SearchUnsafe(nil, 1, 1, nil, nil)
	_, checks["len"] = idx.Len()
	_, checks["memory bytes"] = idx.MemoryBytes()
	for op, err := range checks {
		if !errors.Is(err, vecsearch.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", op, err)
		}
	}
	if idx.Dim() != 2 || idx.Metric() != vecsearch.L2 {
		t.Errorf("Dim/Metric after Close = %d/%v", idx.Dim(), idx.Metric())
	}
	// A nil *Index reports ErrClosed instead of panicking.
	var none *vecsearch.Index
	if _, err := none.Search([]float32{1}, 1, make([]int64, 1), make([]float32, 1)); !errors.Is(err, vecsearch.ErrClosed) {
		t.Errorf("nil Search: %v", err)
	}
	if err := none.Close(); err != nil {
		t.Errorf("nil Close: %v", err)
	}
}

func TestMemoryBytesGrows(t *testing.T) {
	const d = 32
	idx := newFlat(t, d, vecsearch.L2)
	before, err := idx.MemoryBytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(randomVectors(1000, d, 8), sequentialIDs(1000, 0)); err != nil {
		t.Fatal(err)
	}
	after, err := idx.MemoryBytes()
	if err != nil {
		t.Fatal(err)
	}
	if min := 1000 * (d*4 + 8); after-before < min {
		t.Errorf("MemoryBytes grew by %d for 1000 vectors, want >= %d", after-before, min)
	}
}

// TestConcurrentSearchAndAdd runs searches while vectors are being added;
// run it with -race. Each query is a stored vector, so its best hit must be
// at distance 0 whatever the adds are doing.
func TestConcurrentSearchAndAdd(t *testing.T) {
	const d, k, initial, total = 16, 4, 200, 1200
	idx := newFlat(t, d, vecsearch.L2)
	base := randomVectors(total, d, 9)
	ids := sequentialIDs(total, 0)
	if err := idx.Add(base[:initial*d], ids[:initial]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wg.Go(func() {
		for i := initial; i < total; i += 50 {
			if err := idx.Add(base[i*d:(i+50)*d], ids[i:i+50]); err != nil {
				errs <- err
				return
			}
		}
	})
	for g := range 4 {
		wg.Go(func() {
			out := make([]int64, 2*k)
			dists := make([]float32, 2*k)
			for i := range 300 {
				qi := (i*7 + g) % (initial - 1) // qi+1 is stored from the start too
				q := base[qi*d : (qi+2)*d]      // two stored vectors as a batch
				found, err := idx.Search(q, k, out, dists)
				if err != nil {
					errs <- err
					return
				}
				if found != k || dists[0] != 0 || dists[k] != 0 || out[0] != int64(qi) || out[k] != int64(qi+1) {
					errs <- errors.New("bad result during adds")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := idx.Len(); n != total {
		t.Errorf("Len() = %d, want %d", n, total)
	}
}

// TestCloseDuringSearches closes the index while searches run: each search
// either completes or reports ErrClosed, never anything else.
func TestCloseDuringSearches(t *testing.T) {
	const d = 8
	idx, err := vecsearch.NewFlat(d, vecsearch.L2)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(randomVectors(500, d, 10), sequentialIDs(500, 0)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			q := randomVectors(1, d, 11)
			out, dists := make([]int64, 3), make([]float32, 3)
			for i := 0; ; i++ {
				if i == 1 {
					started <- struct{}{}
				}
				if _, err := idx.Search(q, 3, out, dists); err != nil {
					if !errors.Is(err, vecsearch.ErrClosed) {
						errs <- err
					}
					return
				}
			}
		})
	}
	for range 4 {
		<-started
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("search during Close: %v", err)
	}
}

func BenchmarkSearch(b *testing.B) {
	for _, c := range []struct{ n, d, batch int }{{10000, 100, 1}, {10000, 100, 64}} {
		b.Run("n="+itoa(c.n)+"/d="+itoa(c.d)+"/batch="+itoa(c.batch)+"/k=10", func(b *testing.B) {
			const k = 10
			idx := newFlat(b, c.d, vecsearch.L2)
			if err := idx.Add(randomVectors(c.n, c.d, 12), sequentialIDs(c.n, 0)); err != nil {
				b.Fatal(err)
			}
			q := randomVectors(c.batch, c.d, 13)
			ids := make([]int64, c.batch*k)
			dists := make([]float32, c.batch*k)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := idx.Search(q, k, ids, dists); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.batch), "ns/query")
		})
	}
}
