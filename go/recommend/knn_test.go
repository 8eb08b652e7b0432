package recommend

import (
	"slices"
	"testing"
)

// Items 1..3 are liked together by users 1..3, items 7..8 by users 7..8;
// item 3 is also liked by user 9 with item 9. Cosine ranks an item's
// co-liked items first and knows nothing of items never liked together.
func TestSimilarIsItemToItemCosine(t *testing.T) {
	var ints []Interaction
	for u := int64(1); u <= 3; u++ {
		for _, i := range []int64{1, 2, 3} {
			ints = append(ints, Interaction{u, i})
		}
	}
	for u := int64(7); u <= 8; u++ {
		ints = append(ints, Interaction{u, 7}, Interaction{u, 8})
	}
	ints = append(ints, Interaction{9, 3}, Interaction{9, 9})
	m, err := Train(ints, Options{Factors: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Similar([]int64{1}, 10, nil)
	// cos(1,2) = 3/√(3·3) = 1; cos(1,3) = 3/√(3·4) ≈ 0.87; 9 shares no user with 1.
	if len(got) != 2 || got[0].Item != 2 || got[1].Item != 3 || got[0].Score != 1 {
		t.Fatalf("Similar(1) = %v, want 2 (cosine 1) then 3", got)
	}
	// Sums over the history; history and skipped items never come back.
	got = m.Similar([]int64{1, 7}, 10, func(id int64) bool { return id == 2 })
	var ids []int64
	for _, s := range got {
		ids = append(ids, s.Item)
	}
	if !slices.Equal(ids, []int64{8, 3}) {
		t.Fatalf("Similar(1, 7) skipping 2 = %v, want [8 3]", got)
	}
	if m.Similar([]int64{404}, 10, nil) != nil || m.Similar([]int64{1}, 0, nil) != nil {
		t.Fatal("unknown history or k = 0 must give nil")
	}
	var empty *Model
	if empty.Similar([]int64{1}, 5, nil) != nil {
		t.Fatal("nil model must give nil")
	}
}

// itemNeighbours keeps at most k per item, best first.
func TestNeighboursBounded(t *testing.T) {
	m, err := Train(clusteredLog(100, 60, 2, 10), Options{Factors: 2, Iterations: 2, Neighbours: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for r, nbs := range m.nbr {
		if len(nbs) > 3 {
			t.Fatalf("item row %d keeps %d neighbours, want at most 3", r, len(nbs))
		}
		for i := 1; i < len(nbs); i++ {
			if nbs[i].sim > nbs[i-1].sim {
				t.Fatalf("row %d neighbours not best first: %v", r, nbs)
			}
		}
	}
}

// ForYou gathers every source, never returns history, orders the cold
// start by popularity and trends, and works before the first training.
func TestForYouBlendsSources(t *testing.T) {
	m, err := Train(clusteredLog(200, 120, 4, 8), Options{Factors: 8, Iterations: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hist := []int64{1, 5, 9} // cluster 1
	v := Viewer{History: hist, Content: []int64{500, 1}, Network: []int64{600}, Trending: []int64{700}}
	got := ForYou(m, v, 40, DefaultWeights)
	for _, h := range hist {
		if slices.Contains(got, h) {
			t.Fatalf("history item %d recommended: %v", h, got)
		}
	}
	for _, want := range []int64{500, 600, 700} {
		if !slices.Contains(got, want) {
			t.Errorf("%d (content, network, trending) missing from %v", want, got)
		}
	}
	for _, id := range got[:5] {
		if id%4 != 1 {
			t.Fatalf("top 5 %v hold item %d outside the history's cluster", got[:5], id)
		}
	}
	cands := Candidates(m, v, 40)
	if c := cands[got[0]]; c.CF <= 0 || c.KNN <= 0 {
		t.Errorf("the best candidate %d has signals %+v, want both collaborative ones", got[0], c)
	}
	// A new account: popular items and trends only, most popular first.
	cold := ForYou(m, Viewer{Trending: []int64{700}}, 40, DefaultWeights)
	if len(cold) == 0 || !slices.Contains(cold, 700) || cold[0] != m.Popular(1, nil)[0].Item && cold[0] != 700 {
		t.Fatalf("cold start = %v", cold)
	}
	// Before the first training: what the caller gathered, nothing more.
	if got := ForYou(nil, v, 40, DefaultWeights); !slices.Equal(sortedCopy(got), []int64{500, 600, 700}) {
		t.Fatalf("untrained ForYou = %v, want the content, network and trending candidates", got)
	}
}

func sortedCopy(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func TestInterestQueryBounded(t *testing.T) {
	texts := make([]string, 30)
	for i := range texts {
		texts[i] = "word"
	}
	if q := InterestQuery(texts); q != "word\nword\nword\nword\nword\nword\nword\nword\nword\nword\n" {
		t.Fatalf("InterestQuery kept %q, want the newest %d texts", q, interestTexts)
	}
	long := string(make([]byte, interestBytes))
	if q := InterestQuery([]string{"a", long, "b"}); q != "a\n" {
		t.Fatalf("InterestQuery over %d bytes = %q", interestBytes, q)
	}
	if InterestQuery([]string{"", ""}) != "" {
		t.Fatal("empty texts make a query")
	}
}
