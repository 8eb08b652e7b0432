package recommend

import (
	"cmp"
	"slices"
	"strings"
)

// Signals are what is known of one candidate for one viewer; each is in
// [0, 1] (Rank normalises CF itself).
type Signals struct {
	CF         float64 // collaborative score from Model.Recommend (raw)
	KNN        float64 // item-kNN score from Model.Similar (raw)
	Content    float64 // similarity to the viewer's interests
	Popularity float64 // Model.Popularity or another prior
	Network    float64 // 1 when someone the viewer follows posted or boosted it
}

// Weights blend Signals into one score.
type Weights struct {
	CF, KNN, Content, Popularity, Network float64
}

// DefaultWeights favour what people do over what text says (the issue's
// measurement: text alone recommends worst): the ALS score and the item
// neighbours carry most weight, popularity is the prior that also orders
// the cold start, content and the network lift items the collaborative
// signals have not seen yet. CF, KNN, Content and Popularity were tuned
// on the relevance bench's validation split (leave-second-last-out, five
// seeds; never the test split): the best blend that keeps every signal,
// within one standard error of the best of all (bench/RESULTS.md,
// "foryou"). Network is not in the bench's log and keeps its earlier value.
var DefaultWeights = Weights{CF: 1, KNN: 1, Content: 0.1, Popularity: 0.25, Network: 0.2}

// Rank orders candidates by the blended score, best first; ties go to the
// higher ID (newer). CF and KNN scores are divided by the largest among
// the candidates, negatives count as 0.
func Rank(cands map[int64]Signals, w Weights) []int64 {
	var maxCF, maxKNN float64
	for _, s := range cands {
		maxCF = max(maxCF, s.CF)
		maxKNN = max(maxKNN, s.KNN)
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
		knn := 0.0
		if maxKNN > 0 {
			knn = max(s.KNN, 0) / maxKNN
		}
		out = append(out, scored{id, w.CF*cf + w.KNN*knn + w.Content*s.Content + w.Popularity*s.Popularity + w.Network*s.Network})
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

// Viewer is what one For-you ranking knows of the viewer, gathered by the
// caller: package social reads it from SQL, the vector index, the home
// feed and trends; the relevance bench from its log. Both then rank with
// ForYou, so the bench measures the server's recommender.
type Viewer struct {
	History  []int64 // statuses it favourited, boosted or posted, newest first
	Content  []int64 // statuses nearest its interests (the vector index), best first
	Network  []int64 // statuses in its home timeline (accounts it follows)
	Trending []int64 // the instance's trending statuses, best first
}

// ForYou ranks For-you candidates for v, best first: up to n each from
// the collaborative model (Recommend) and the item neighbours (Similar),
// v's content and network candidates, and n/4 popular and trending ones
// (the prior, and the whole answer for a new account), blended by Rank
// with w. Never an item of v.History; m may be nil (before the first
// training). The caller filters (visibility, interactions) and trims.
func ForYou(m *Model, v Viewer, n int, w Weights) []int64 {
	return Rank(Candidates(m, v, n), w)
}

// Candidates gathers ForYou's candidates and their Signals, before
// weighting (the relevance bench sweeps Weights over one gathering).
func Candidates(m *Model, v Viewer, n int) map[int64]Signals {
	seen := make(map[int64]bool, len(v.History))
	for _, id := range v.History {
		seen[id] = true
	}
	skip := func(id int64) bool { return seen[id] }
	cands := map[int64]Signals{}
	add := func(id int64, f func(*Signals)) {
		if seen[id] {
			return
		}
		sig := cands[id]
		f(&sig)
		cands[id] = sig
	}
	for _, r := range m.Recommend(v.History, n, skip) {
		add(r.Item, func(g *Signals) { g.CF = r.Score })
	}
	for _, r := range m.Similar(v.History, n, skip) {
		add(r.Item, func(g *Signals) { g.KNN = r.Score })
	}
	for i, id := range v.Content {
		add(id, func(g *Signals) { g.Content = 1 - float64(i)/float64(len(v.Content)) })
	}
	for _, id := range v.Network {
		add(id, func(g *Signals) { g.Network = 1 })
	}
	prior := max(n/4, 1)
	for _, r := range m.Popular(prior, skip) {
		add(r.Item, func(*Signals) {})
	}
	for i, id := range v.Trending[:min(prior, len(v.Trending))] {
		add(id, func(g *Signals) { g.Popularity = max(g.Popularity, 1-float64(i)/float64(prior)) })
	}
	for id, g := range cands {
		g.Popularity = max(g.Popularity, m.Popularity(id))
		cands[id] = g
	}
	return cands
}

// Interest query bounds: the newest interestTexts texts of a history, at
// most interestBytes in all, make the query whose nearest statuses are
// the ContentCandidates.
const (
	ContentCandidates = 100
	interestTexts     = 10
	interestBytes     = 2000
)

// InterestQuery joins the newest of texts (newest first) into the text
// whose embedding stands for the viewer's interests; "" when there is
// none.
func InterestQuery(texts []string) string {
	var q strings.Builder
	n := 0
	for _, t := range texts {
		if t == "" {
			continue
		}
		if n == interestTexts || q.Len()+len(t) > interestBytes {
			break
		}
		q.WriteString(t)
		q.WriteByte('\n')
		n++
	}
	return q.String()
}
