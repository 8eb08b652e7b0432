package social

import "slices"

// rrfK is reciprocal rank fusion's damping constant. 60 is the value of the
// original paper (Cormack et al., 2009) and what most engines default to: it
// keeps one list's top hit from drowning everything the other list found.
const rrfK = 60

// fuseRanks merges rankings of IDs (each best first) by reciprocal rank
// fusion: an ID scores the sum of 1/(rrfK + rank) over the lists holding it.
// Rank-based fusion needs no calibration between a BM25 score and a vector
// distance, which have nothing in common. Ties keep the order in which IDs
// were first seen, walking the lists in turn, so the result is deterministic.
func fuseRanks(lists ...[]int64) []int64 {
	score := map[int64]float64{}
	var order []int64
	for _, l := range lists {
		for rank, id := range l {
			if _, seen := score[id]; !seen {
				order = append(order, id)
			}
			score[id] += 1 / float64(rrfK+rank+1)
		}
	}
	slices.SortStableFunc(order, func(a, b int64) int {
		switch sa, sb := score[a], score[b]; {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	return order
}
