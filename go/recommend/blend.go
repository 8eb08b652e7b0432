package recommend

import (
	"cmp"
	"slices"
)

// Signals are what is known of one candidate for one viewer; each is in
// [0, 1] (Rank normalises CF itself).
type Signals struct {
	CF         float64 // collaborative score from Model.Recommend (raw)
	Content    float64 // similarity to the viewer's interests
	Popularity float64 // Model.Popularity or another prior
	Network    float64 // 1 when someone the viewer follows posted or boosted it
}

// Weights blend Signals into one score.
type Weights struct {
	CF, Content, Popularity, Network float64
}

// DefaultWeights favour what people do over what text says (the issue's
// measurement: text alone recommends worst), with content and the network
// to lift items the collaborative model has not seen yet and popularity
// as the prior that orders the cold start. The relevance bench is the
// check on them.
var DefaultWeights = Weights{CF: 1, Content: 0.3, Popularity: 0.15, Network: 0.2}

// Rank orders candidates by the blended score, best first; ties go to the
// higher ID (newer). CF scores are divided by the largest among the
// candidates, negatives count as 0.
func Rank(cands map[int64]Signals, w Weights) []int64 {
	var maxCF float64
	for _, s := range cands {
		maxCF = max(maxCF, s.CF)
	}
	type scored struct {
		id int64
		sc float64
	}
	out := make([]scored, 0, len(cands))
	for id, s := range cands {
		cf := 0.0
		if maxCF > 0 {
			cf = max(s.CF, 0) / maxCF
		}
		out = append(out, scored{id, w.CF*cf + w.Content*s.Content + w.Popularity*s.Popularity + w.Network*s.Network})
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.sc, a.sc); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	ids := make([]int64, len(out))
	for i, s := range out {
		ids[i] = s.id
	}
	return ids
}
