package recommend

import (
	"cmp"
	"math"
	"slices"
)

// Item-to-item neighbours (item kNN): two items are alike when the same
// accounts interacted with both, measured by cosine over who interacted
// (co-occurrences / √(nᵢ·nⱼ)). ALS compresses that into a few factors and
// loses the sharp, local part of it; the neighbours keep it, so the blend
// gets both (bench/RESULTS.md, "foryou" section).

// neighbour is one of an item's most similar items.
type neighbour struct {
	row int32
	sim float32
}

// Neighbour bounds: each item keeps its Neighbours best (Options), and a
// user with a long history adds at most maxCoItems of its items to the
// co-occurrence counts, so training costs at most
// O(interactions · maxCoItems) whatever the shape of the log.
const (
	defaultNeighbours = 50
	maxNeighbours     = 200
	maxCoItems        = 300
)

// itemNeighbours returns, per item row, its k most similar items (best
// first; ties: lower row), from byUser (rows each user touched) and byItem
// (users per row).
func itemNeighbours(byUser, byItem [][]int, k int) [][]neighbour {
	n := len(byItem)
	out := make([][]neighbour, n)
	co := make([]float32, n)
	var touched []int
	cand := make([]neighbour, 0, 256)
	for i, us := range byItem {
		touched = touched[:0]
		for _, u := range us {
			items := byUser[u]
			if len(items) > maxCoItems {
				items = items[:maxCoItems]
			}
			for _, j := range items {
				if j == i {
					continue
				}
				if co[j] == 0 {
					touched = append(touched, j)
				}
				co[j]++
			}
		}
		cand = cand[:0]
		ni := float64(len(us))
		for _, j := range touched {
			cand = append(cand, neighbour{int32(j), float32(float64(co[j]) / math.Sqrt(ni*float64(len(byItem[j]))))})
			co[j] = 0
		}
		slices.SortFunc(cand, func(a, b neighbour) int {
			if c := cmp.Compare(b.sim, a.sim); c != 0 {
				return c
			}
			return cmp.Compare(a.row, b.row)
		})
		out[i] = slices.Clone(cand[:min(k, len(cand))])
	}
	return out
}

// Similar returns the k items most like history by item kNN (score of an
// item = the sum of its similarities to the history's items), best first,
// skipping history and what skip reports; nil when no history item is
// known.
func (m *Model) Similar(history []int64, k int, skip func(int64) bool) []Scored {
	if m.Len() == 0 || k <= 0 {
		return nil
	}
	had := make(map[int64]bool, len(history))
	score := map[int32]float64{}
	for _, it := range history {
		r, ok := m.row[it]
		if !ok || had[it] {
			had[it] = true
			continue
		}
		had[it] = true
		for _, nb := range m.nbr[r] {
			score[nb.row] += float64(nb.sim)
		}
	}
	all := make([]Scored, 0, len(score))
	for r, sc := range score {
		if id := m.items[r]; !had[id] && (skip == nil || !skip(id)) {
			all = append(all, Scored{id, sc})
		}
	}
	if len(all) == 0 {
		return nil
	}
	// Sums of the same similarities tie often: the higher ID (newer) wins,
	// so a ranking does not depend on map order.
	slices.SortFunc(all, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(b.Item, a.Item)
	})
	top := all[:min(k, len(all))]
	return top
}
