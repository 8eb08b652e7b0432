package recommend

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// clusteredLog plants clusters: user u likes items of cluster u%clusters
// only; item i belongs to cluster i%clusters.
func clusteredLog(users, items, clusters, perUser int) []Interaction {
	var ints []Interaction
	for u := range users {
		c := u % clusters
		for k := range perUser {
			i := (c + clusters*((u*7+k*13)%(items/clusters))) % items
			ints = append(ints, Interaction{User: int64(u), Item: int64(i)})
		}
	}
	return ints
}

func TestRecommendFindsThePlantedCluster(t *testing.T) {
	const clusters = 4
	m, err := Train(clusteredLog(200, 120, clusters, 8), Options{Factors: 8, Iterations: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	history := []int64{1, 5, 9} // cluster 1
	skip := func(id int64) bool { return id == 13 }
	recs := m.Recommend(history, 10, skip)
	if len(recs) != 10 {
		t.Fatalf("got %d recommendations, want 10", len(recs))
	}
	for _, r := range recs {
		if r.Item%clusters != 1 {
			t.Errorf("recommended item %d of cluster %d, want cluster 1: %v", r.Item, r.Item%clusters, recs)
		}
		if r.Item == 1 || r.Item == 5 || r.Item == 9 || r.Item == 13 {
			t.Errorf("recommended %d, which is history or skipped", r.Item)
		}
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Score > recs[i-1].Score {
			t.Fatalf("not best first: %v", recs)
		}
	}
}

func TestColdAndUnknown(t *testing.T) {
	var empty *Model
	if empty.Recommend([]int64{1}, 5, nil) != nil || empty.Popular(5, nil) != nil || empty.Popularity(1) != 0 {
		t.Fatal("nil model must recommend nothing")
	}
	m, err := Train([]Interaction{{1, 10}, {2, 10}, {2, 11}, {3, 10}, {3, 12}}, Options{Factors: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Recommend([]int64{999}, 5, nil); got != nil {
		t.Fatalf("unknown history: got %v, want nil (the caller falls back on popularity)", got)
	}
	pop := m.Popular(2, nil)
	if len(pop) != 2 || pop[0].Item != 10 {
		t.Fatalf("Popular = %v, want item 10 first", pop)
	}
	if p := m.Popularity(10); p != 1 {
		t.Fatalf("Popularity(most popular) = %v, want 1", p)
	}
	if p := m.Popularity(11); !(p > 0 && p < 1) {
		t.Fatalf("Popularity(11) = %v, want in (0,1)", p)
	}
}

func TestOptionsBounded(t *testing.T) {
	for _, o := range []Options{{Factors: maxFactors + 1}, {Iterations: maxIterations + 1}, {Alpha: -1}, {Lambda: math.NaN()}, {Neighbours: maxNeighbours + 1}, {Neighbours: -1}} {
		if _, err := Train(nil, o); err == nil {
			t.Errorf("Train(%+v) accepted out-of-range options", o)
		}
	}
}

func TestCholSolve(t *testing.T) {
	a := []float64{4, 2, 2, 3}
	b := []float64{2, 1}
	cholSolve(a, b, 2)
	// 4x+2y=2, 2x+3y=1 -> x=0.5, y=0
	if math.Abs(b[0]-0.5) > 1e-12 || math.Abs(b[1]) > 1e-12 {
		t.Fatalf("solution %v, want [0.5 0]", b)
	}
}

func TestRankBlends(t *testing.T) {
	got := Rank(map[int64]Signals{
		1: {CF: 4},              // best CF
		2: {CF: 2, Content: 1},  // half CF + content
		3: {Popularity: 1},      // popular only
		4: {CF: -3, Network: 1}, // negative CF counts as 0
	}, Weights{CF: 1, Content: 0.6, Popularity: 0.1, Network: 0.2})
	want := []int64{2, 1, 4, 3}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Rank = %v, want %v", got, want)
		}
	}
}

// TestRecommendAndPopularMatchAFullSort: the top k with exclusions equals
// scoring every item, dropping the excluded ones and sorting, however many
// of the best items are excluded (exclusions are checked only for items
// that would enter the top k).
func TestRecommendAndPopularMatchAFullSort(t *testing.T) {
	m, err := Train(clusteredLog(60, 300, 6, 12), Options{})
	if err != nil {
		t.Fatal(err)
	}
	history := []int64{0, 6, 12, 18}
	f := m.opt.Factors
	for _, every := range []int64{1 << 40, 2, 3, 7} { // skip nothing, half, a third, a seventh
		skip := func(id int64) bool { return id%every == 0 }
		xu := make([]float64, f)
		var js []int
		for _, it := range history {
			js = append(js, m.row[it])
		}
		newSolver(f).solveRow(m.yty, m.y, js, f, m.opt, xu)
		var want, wantPop []Scored
		for r, id := range m.items {
			if skip(id) {
				continue
			}
			wantPop = append(wantPop, Scored{id, m.pop[r] + float64(r)/float64(len(m.items)+1)*1e-6})
			if id == 0 || id == 6 || id == 12 || id == 18 {
				continue
			}
			var sc float64
			for i := range f {
				sc += xu[i] * m.y[r*f+i]
			}
			// Recommend scores in float32: the same order up to rounding.
			xu32 := make([]float32, f)
			for i, v := range xu {
				xu32[i] = float32(v)
			}
			sc32 := float64(dot32(xu32, m.y32[r*f:(r+1)*f]))
			if math.Abs(sc32-sc) > 1e-5*max(1, math.Abs(sc)) {
				t.Fatalf("item %d: float32 score %v, float64 %v", id, sc32, sc)
			}
			want = append(want, Scored{id, sc32})
		}
		byScore := func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) }
		slices.SortStableFunc(want, byScore)
		slices.SortStableFunc(wantPop, byScore)
		// Equal scores may come in any order: compare the scores, and that
		// each item returned is a scored, not excluded one.
		check := func(name string, got, want []Scored) {
			scores := map[int64]float64{}
			for _, w := range want {
				scores[w.Item] = w.Score
			}
			if len(got) != 15 {
				t.Fatalf("skip every %d: %s gave %d items", every, name, len(got))
			}
			for i, g := range got {
				if sc, ok := scores[g.Item]; !ok || sc != g.Score || g.Score != want[i].Score {
					t.Errorf("skip every %d: %s[%d] = %v, want score %v (item allowed: %v)", every, name, i, g, want[i].Score, ok)
				}
			}
		}
		check("Recommend", m.Recommend(history, 15, skip), want)
		check("Popular", m.Popular(15, skip), wantPop)
	}
}

// TestPopularPastTheKeptList: Popular walks the list Train ranked ahead of
// time and scores every item when skip leaves fewer than k of that list.
func TestPopularPastTheKeptList(t *testing.T) {
	var log []Interaction
	for i := range int64(popularKept + 500) {
		for u := range 1 + i%5 {
			log = append(log, Interaction{User: u, Item: i})
		}
	}
	m, err := Train(log, Options{Iterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.popular) != popularKept {
		t.Fatalf("kept %d popular items, want %d", len(m.popular), popularKept)
	}
	for _, skipped := range []int{0, 10, popularKept - 20, popularKept - 5, popularKept} {
		gone := map[int64]bool{}
		for _, s := range m.popular[:skipped] {
			gone[s.Item] = true
		}
		skip := func(id int64) bool { return gone[id] }
		got, want := m.Popular(15, skip), m.popularScan(15, skip)
		if !slices.Equal(got, want) {
			t.Errorf("skipping the %d most popular: Popular = %v, want %v", skipped, got, want)
		}
		for _, g := range got {
			if gone[g.Item] {
				t.Errorf("skipping the %d most popular: Popular returned skipped item %d", skipped, g.Item)
			}
		}
	}
}
