package main

import "fmt"

// recallAt returns the mean fraction of each query's true r nearest
// neighbours (the first r ids of its ground-truth row) found among the
// first r ids the index returned, the ann-benchmarks definition computed on
// ids. got has k ids per query, gt has gtK; r must be <= both. Empty slots
// (-1) never match.
func recallAt(r int, got []int64, k int, gt []int32, gtK int) float64 {
	nq := len(got) / k
	if nq == 0 || r < 1 {
		return 0
	}
	hits := 0
	for q := range nq {
		truth := gt[q*gtK : q*gtK+r]
		for _, id := range got[q*k : q*k+r] {
			if id < 0 {
				continue
			}
			for _, t := range truth {
				if int64(t) == id {
					hits++
					break
				}
			}
		}
	}
	return float64(hits) / float64(nq*r)
}

// checkIDs verifies what the harness does not take on trust: every id the
// index returned is a real base row (0 <= id < nBase) and appears at most
// once in its query's row. Empty slots (-1) are allowed only after the
// last result. It returns the first violation.
func checkIDs(got []int64, k, nBase int) error {
	seen := make(map[int64]bool, k)
	for q := range len(got) / k {
		clear(seen)
		row := got[q*k : (q+1)*k]
		for j, id := range row {
			switch {
			case id == -1:
				for _, later := range row[j:] {
					if later != -1 {
						return fmt.Errorf("query %d: result %d follows an empty slot", q, later)
					}
				}
			case id < 0 || id >= int64(nBase):
				return fmt.Errorf("query %d slot %d: id %d is not a base row (0..%d)", q, j, id, nBase-1)
			case seen[id]:
				return fmt.Errorf("query %d: id %d returned twice", q, id)
			}
			seen[id] = true
		}
	}
	return nil
}
