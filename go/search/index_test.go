package search

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// memSource is the SQL table an index is built from, in memory, so a test
// can hold thousands of vectors and act between the pages a build reads.
type memSource struct {
	mu     sync.Mutex
	rows   []store.StatusEmbedding // sorted by ID
	onList func(call int)          // runs before each page is read, unlocked
	calls  int
}

func (m *memSource) put(rows ...store.StatusEmbedding) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows = append(m.rows, rows...)
	sort.Slice(m.rows, func(i, j int) bool { return m.rows[i].StatusID < m.rows[j].StatusID })
}

func (m *memSource) del(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows = slices.DeleteFunc(m.rows, func(r store.StatusEmbedding) bool { return r.StatusID == id })
}

func (m *memSource) ListStatusEmbeddings(_ context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	m.mu.Lock()
	m.calls++
	call, hook := m.calls, m.onList
	m.mu.Unlock()
	if hook != nil {
		hook(call)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.rows), func(i int) bool { return m.rows[i].StatusID > afterID })
	return slices.Clone(m.rows[i:min(i+limit, len(m.rows))]), nil
}

const testDim = 32

// clustered returns n unit vectors around 20 random centres, with IDs
// base+1 … base+n.
func clustered(n int, base int64, seed uint64) []store.StatusEmbedding {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([][]float32, 20)
	for i := range centres {
		centres[i] = make([]float32, testDim)
		for j := range centres[i] {
			centres[i][j] = float32(rng.NormFloat64())
		}
	}
	out := make([]store.StatusEmbedding, n)
	for i := range out {
		c := centres[rng.IntN(len(centres))]
		v := make([]float32, testDim)
		var norm float64
		for j := range v {
			v[j] = c[j] + 0.4*float32(rng.NormFloat64())
			norm += float64(v[j]) * float64(v[j])
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(norm))
		}
		out[i] = store.StatusEmbedding{StatusID: base + int64(i) + 1, Embedding: v}
	}
	return out
}

func newTestIndex(t *testing.T, src *memSource, threshold int) *Index {
	t.Helper()
	idx, err := NewIndex(context.Background(), IndexConfig{Name: "statuses", Dim: testDim, FlatThreshold: threshold}, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// findsItself checks that each row's own vector finds its ID first.
func findsItself(t *testing.T, idx *Index, rows []store.StatusEmbedding) {
	t.Helper()
	misses := 0
	for _, r := range rows {
		hits, err := idx.Search(r.Embedding, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != r.StatusID {
			misses++
		}
	}
	// IVF-PQ is approximate: a vector may land in a list its query does
	// not probe, rarely.
	if misses > len(rows)/50 {
		t.Fatalf("%d of %d vectors do not find themselves", misses, len(rows))
	}
}

func TestIndexSwitchesToIVFPQAtTheThreshold(t *testing.T) {
	src := &memSource{}
	idx := newTestIndex(t, src, 1000)
	rows := clustered(1000, 0, 1)
	src.put(rows...)
	if _, err := idx.Add(rows[:999]); err != nil {
		t.Fatal(err)
	}
	idx.Wait()
	if st, _ := idx.Status(); st.Kind != "flat" || st.Vectors != 999 {
		t.Fatalf("below the threshold: %+v", st)
	}
	if _, err := idx.Add(rows[999:]); err != nil {
		t.Fatal(err)
	}
	idx.Wait() // the build the add started
	st, err := idx.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != "ivfpq" || st.Vectors != 1000 || st.TrainedAt != 1000 || st.NList < 16 || st.Building {
		t.Fatalf("at the threshold: %+v", st)
	}
	if st.NProbe != st.NList { // auto nprobe: at least 32, so every list of a small index
		t.Fatalf("served nprobe %d of %d lists", st.NProbe, st.NList)
	}
	findsItself(t, idx, rows)

	// Doubling retrains.
	more := clustered(1000, 1000, 2)
	src.put(more...)
	if _, err := idx.Add(more); err != nil {
		t.Fatal(err)
	}
	idx.Wait()
	if st, _ := idx.Status(); st.Kind != "ivfpq" || st.TrainedAt != 2000 || st.Vectors != 2000 {
		t.Fatalf("after doubling: %+v", st)
	}
}

// TestRebuildWhileSearchingAddingRemoving rebuilds while other goroutines
// search, and adds and removes vectors between the pages the build reads:
// after the swap the index holds exactly the live vectors.
func TestRebuildWhileSearchingAddingRemoving(t *testing.T) {
	src := &memSource{}
	idx := newTestIndex(t, src, 1000)
	rows := clustered(3000, 0, 3)
	src.put(rows...)
	if _, err := idx.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	idx.Wait() // the threshold build started by catch-up

	late := clustered(200, 10_000, 4)
	removed := []int64{rows[0].StatusID, rows[1500].StatusID, rows[2999].StatusID}
	var once sync.Once
	src.onList = func(call int) {
		if call < 3 {
			return
		}
		// Mid-build: a status posted (in SQL and added live), some
		// deleted (gone from SQL and removed live).
		once.Do(func() {
			src.put(late...)
			if _, err := idx.Add(late); err != nil {
				t.Error(err)
			}
			for _, id := range removed {
				src.del(id)
			}
			if _, err := idx.Remove(removed); err != nil {
				t.Error(err)
			}
		})
	}
	stop := make(chan struct{})
	var searches atomic.Int64
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := idx.Search(rows[(g*1000+i)%len(rows)].Embedding, 10, nil); err != nil {
					t.Error(err)
					return
				}
				searches.Add(1)
			}
		}()
	}
	src.calls = 0
	res, err := idx.Rebuild(context.Background())
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "ivfpq" {
		t.Fatalf("rebuild made %+v", res)
	}
	if want := 3000 + 200 - 3; idx.Len() != want || res.Vectors != want {
		t.Fatalf("after rebuild: len %d, result %+v; want %d", idx.Len(), res, want)
	}
	for _, id := range removed {
		for _, r := range rows {
			if r.StatusID != id {
				continue
			}
			hits, _ := idx.Search(r.Embedding, 5, nil)
			for _, h := range hits {
				if h.ID == id {
					t.Fatalf("removed %d is still found", id)
				}
			}
		}
	}
	findsItself(t, idx, late)
	if searches.Load() == 0 {
		t.Fatal("no search ran during the rebuild")
	}
	// A second rebuild at the same time is refused, not queued.
	idx.building.Store(true)
	if _, err := idx.Rebuild(context.Background()); !errors.Is(err, ErrBuilding) {
		t.Fatalf("concurrent rebuild: %v", err)
	}
	idx.building.Store(false)
}

func TestSnapshotRoundTripAndCatchUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := &memSource{}
	rows := clustered(1500, 0, 5)
	src.put(rows...)
	idx := newTestIndex(t, src, 1000)
	if _, err := idx.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Remove([]int64{rows[10].StatusID}); err != nil {
		t.Fatal(err)
	}
	src.del(rows[10].StatusID)
	if err := idx.Save(dir, "emb-a"); err != nil {
		t.Fatal(err)
	}
	before, _ := idx.Search(rows[20].Embedding, 10, nil)

	// Restart: posted while down, one of them with an ID below the
	// snapshot's high-water mark (another process's clock).
	down := clustered(50, 2000, 6)
	down[0].StatusID = 1499
	src.del(1499)
	src.put(down...)
	again := newTestIndex(t, src, 1000)
	if err := again.Load(dir, "emb-a"); err != nil {
		t.Fatal(err)
	}
	st, _ := again.Status()
	if st.Kind != "ivfpq" || st.Vectors != 1499 || st.HighWater != 1500 {
		t.Fatalf("loaded %+v", st)
	}
	after, _ := again.Search(rows[20].Embedding, 10, nil)
	if !slices.Equal(before, after) {
		t.Fatalf("search differs after reload:\n%v\n%v", before, after)
	}
	n, err := again.CatchUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 49 new IDs above the mark, and 1499 replaced below it (same ID,
	// already indexed: not added twice).
	if n != 49 || again.Len() != 1499+49 {
		t.Fatalf("catch-up added %d, len %d", n, again.Len())
	}
	findsItself(t, again, down[1:])

	// doctor's check passes the sound snapshot, and fails it once damaged.
	if info, err := VerifySnapshot(dir, "statuses"); err != nil || info.Embedder != "emb-a" || info.Vectors != 1499 {
		t.Fatalf("VerifySnapshot of a sound snapshot: %+v, %v", info, err)
	}
	if _, err := VerifySnapshot(t.TempDir(), "statuses"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("VerifySnapshot of an empty dir: %v", err)
	}
	vsi, _ := filepath.Glob(filepath.Join(dir, "statuses-*.vsi"))
	if len(vsi) != 1 {
		t.Fatalf("index files: %v", vsi)
	}
	good, err := os.ReadFile(vsi[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(good)
	bad[len(bad)/2] ^= 0xff
	if err := os.WriteFile(vsi[0], bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifySnapshot(dir, "statuses"); err == nil || errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("VerifySnapshot of a damaged index file: %v", err)
	}
	if err := os.WriteFile(vsi[0], good, 0o644); err != nil {
		t.Fatal(err)
	}

	// Another embedder's snapshot is not used; a damaged one is refused.
	other := newTestIndex(t, src, 1000)
	if err := other.Load(dir, "emb-b"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("load with another embedder: %v", err)
	}
	idsFiles, _ := filepath.Glob(filepath.Join(dir, "statuses-*.ids"))
	if len(idsFiles) != 1 {
		t.Fatalf("snapshot files: %v", idsFiles)
	}
	b, _ := os.ReadFile(idsFiles[0])
	b[3] ^= 1
	if err := os.WriteFile(idsFiles[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := other.Load(dir, "emb-a"); err == nil || errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("load of a damaged snapshot: %v", err)
	}
	if other.Len() != 0 {
		t.Fatal("a failed load changed the index")
	}
}

func TestCheckMeasuresRecall(t *testing.T) {
	ctx := context.Background()
	src := &memSource{}
	src.put(clustered(3000, 0, 8)...)
	idx := newTestIndex(t, src, 1000)
	if k := idx.Counters(); !math.IsNaN(k.LastRecall()) || k.Checks.Load() != 0 {
		t.Fatalf("before any check: recall %v after %d checks", k.LastRecall(), k.Checks.Load())
	}
	if _, err := idx.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	// What a search's span reports: nprobe lists (auto here: a tenth of
	// the lists, at least 32, capped by nlist) and the k·refine candidates
	// re-ranked exactly.
	if nprobe, cand := idx.Plan(10); nprobe != min(AutoNProbe(idx.nlist), idx.nlist) || nprobe < 1 || cand != 10*idx.cfg.RefineFactor {
		t.Errorf("Plan(10) on IVF-PQ = %d lists, %d candidates; nlist %d, config %+v", nprobe, cand, idx.nlist, idx.cfg)
	}
	if k := idx.Counters(); k.BuildsOK.Load() != 1 || k.BuildsFailed.Load() != 0 || k.LastBuild() <= 0 || idx.Trained() != 3000 {
		t.Fatalf("after one build: ok %d failed %d took %v trained %d", k.BuildsOK.Load(), k.BuildsFailed.Load(), k.LastBuild(), idx.Trained())
	}
	res, err := idx.Check(ctx, 100, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "ivfpq" || res.Queries != 100 || res.Vectors != 3000 || !res.MeetsTarget {
		t.Fatalf("check at the served settings: %+v", res)
	}
	// Served with one list and no re-rank, recall must drop below the
	// target: the check measures, it does not assume.
	idx.cfg.NProbe, idx.cfg.RefineFactor = 1, 0
	low, err := idx.Check(ctx, 100, 10)
	if err != nil {
		t.Fatal(err)
	}
	if low.Recall >= res.Recall || low.MeetsTarget {
		t.Fatalf("nprobe 1 without re-rank: %+v, served: %+v", low, res)
	}
	// The metrics read the last check.
	if k := idx.Counters(); k.Checks.Load() != 2 || k.LastRecall() != low.Recall {
		t.Errorf("counters after two checks: %d checks, last recall %v, want %v", k.Checks.Load(), k.LastRecall(), low.Recall)
	}
	t.Logf("recall@10 served %.3f, nprobe=1 %.3f", res.Recall, low.Recall)
}

// TestServedNProbe: without a configured nprobe an index searches a tenth
// of its lists, at least 32, never more than it has; a configured one wins.
func TestServedNProbe(t *testing.T) {
	for _, tc := range []struct{ configured, nlist, want int }{
		{0, 16, 16},    // every list of a small index
		{0, 316, 32},   // 100k vectors
		{0, 999, 100},  // 1M vectors
		{0, 4096, 410}, // the largest index
		{8, 999, 8},    // configured
		{64, 20, 20},   // never more than the lists
		{0, 0, 1},      // exact index: ignored, but valid
	} {
		if got := servedNProbe(tc.configured, tc.nlist); got != tc.want {
			t.Errorf("servedNProbe(%d, %d) = %d, want %d", tc.configured, tc.nlist, got, tc.want)
		}
	}
}
