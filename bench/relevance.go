package main

import (
	"cmp"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/search/subword"
)

// relevanceResult is one recommender's leave-last-out score on one log.
type relevanceResult struct {
	provenance
	Bench     string             `json:"bench"` // "relevance"
	Dataset   string             `json:"dataset"`
	Method    string             `json:"method"`            // for_you, random, popularity, item_knn
	Split     string             `json:"split"`             // test (leave-last-out) or validation (leave-second-last-out)
	Weights   *recommend.Weights `json:"weights,omitempty"` // for_you's blend
	Users     int                `json:"users"`             // evaluated: users with at least 2 interactions
	Items     int                `json:"items"`
	Events    int                `json:"events"`
	HitRate10 float64            `json:"hit_rate_at_10"`
	NDCG10    float64            `json:"ndcg_at_10"`
	Seconds   float64            `json:"seconds"` // training plus all users' top 10
}

func runRelevance(e *env, args []string) error {
	fs := flag.NewFlagSet("relevance", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	logPath := fs.String("log", "", "interaction log, CSV user,item,timestamp with a header (see relevance_log.go); empty: generate one")
	itemsPath := fs.String("items", "", "item texts, TSV item<TAB>text with a header (with --log)")
	posts := fs.String("posts", "../shared/data/short-posts-en/posts.tsv.gz", "short-posts-en's posts.tsv.gz, the texts of a generated log")
	out := fs.String("write", "", "also write the generated log to this directory (log.csv, items.tsv)")
	users := fs.Int("users", 2000, "generated: users")
	clusters := fs.Int("clusters", 20, "generated: planted interest clusters")
	perCluster := fs.Int("per-cluster", 150, "generated: posts per cluster")
	events := fs.Int("events", 30, "generated: interactions per user")
	noise := fs.Float64("noise", 0.2, "generated: share of interactions with globally popular posts")
	seed := fs.Uint64("seed", 1, "generator and random-baseline seed")
	var opt recommend.Options
	fs.IntVar(&opt.Factors, "factors", 0, "For-you ALS factors (0: the server's default)")
	fs.IntVar(&opt.Iterations, "iterations", 0, "For-you ALS iterations (0: the server's default)")
	fs.Float64Var(&opt.Alpha, "alpha", 0, "For-you ALS confidence weight (0: the server's default)")
	fs.Float64Var(&opt.Lambda, "lambda", 0, "For-you ALS regularisation (0: the server's default)")
	w := recommend.DefaultWeights
	fs.Float64Var(&w.CF, "w-cf", w.CF, "For-you weight of the ALS score (default: the server's)")
	fs.Float64Var(&w.KNN, "w-knn", w.KNN, "For-you weight of the item-kNN score (default: the server's)")
	fs.Float64Var(&w.Content, "w-content", w.Content, "For-you weight of content similarity (default: the server's)")
	fs.Float64Var(&w.Popularity, "w-popularity", w.Popularity, "For-you weight of the popularity prior (default: the server's)")
	split := fs.String("split", "test", `"test": hold out each user's last interaction (leave-last-out); "validation": drop the last, hold out the second-last (tune here, report on test)`)
	methods := fs.String("methods", "random,popularity,item_knn,for_you", "comma-separated methods to run")
	sweep := fs.Bool("sweep", false, "for_you: evaluate a grid of blend weights (one training) instead of the given ones")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench relevance [--log FILE --items FILE | --posts FILE [--write DIR] [generator flags]]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	var (
		l       *relLog
		err     error
		dataset string
	)
	if *logPath != "" {
		if *itemsPath == "" {
			return usagef("--items is required with --log")
		}
		l, err = readRelLog(*logPath, *itemsPath)
		dataset = *logPath
	} else {
		if *users <= 0 || *clusters <= 0 || *perCluster <= 0 || *events <= 1 || *noise < 0 || *noise > 1 {
			return usagef("generator flags must be positive (events > 1, noise in [0,1])")
		}
		var ps []string
		if ps, err = readPosts(*posts); err != nil {
			return err
		}
		l, err = generateLog(ps, genOptions{users: *users, perCluster: *perCluster, clusters: *clusters,
			events: *events, noise: *noise, seed: *seed})
		dataset = fmt.Sprintf("generated(users=%d,clusters=%d,per_cluster=%d,events=%d,noise=%g,seed=%d)",
			*users, *clusters, *perCluster, *events, *noise, *seed)
		if err == nil && *out != "" {
			err = l.write(*out)
		}
	}
	if err != nil {
		return err
	}
	if *split != "test" && *split != "validation" {
		return usagef("--split must be test or validation")
	}
	want := map[string]bool{}
	for _, m := range strings.Split(*methods, ",") {
		want[m] = true
	}
	train, test := leaveLastOut(l, *split == "validation")
	fmt.Fprintf(e.stderr, "relevance: %d events, %d users evaluated (%s split), %d items\n", len(l.events), len(test), *split, len(l.items))
	base := relevanceResult{provenance: newProvenance(e.command), Bench: "relevance", Dataset: dataset, Split: *split,
		Users: len(test), Items: len(l.items), Events: len(l.events)}
	for _, m := range relevanceMethods(*seed) {
		if !want[m.name] {
			continue
		}
		delete(want, m.name)
		start := time.Now()
		if m.name == "for_you" {
			if err := runForYou(e, base, l, train, test, opt, w, *sweep); err != nil {
				return err
			}
			continue
		}
		rec := m.fit(l, train)
		res := base
		res.Method = m.name
		res.HitRate10, res.NDCG10 = evaluateRelevance(train, test, rec)
		res.Seconds = time.Since(start).Seconds()
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	for m := range want {
		return usagef("--methods: unknown method %q", m)
	}
	return nil
}

// runForYou emits For you's score with w, or with every weight of the
// sweep grid (one training, one gathering of candidates per user).
func runForYou(e *env, base relevanceResult, l *relLog, train map[int][]int, test map[int]int,
	opt recommend.Options, w recommend.Weights, sweep bool) error {
	start := time.Now()
	fy, err := newForYou(l, train, opt)
	if err != nil {
		return fmt.Errorf("for_you: %w", err)
	}
	grid := []recommend.Weights{w}
	if sweep {
		grid = sweepGrid()
	}
	for _, w := range grid {
		res := base
		res.Method = "for_you"
		res.Weights = &w
		res.HitRate10, res.NDCG10 = evaluateRelevance(train, test, fy.recommender(w))
		res.Seconds = time.Since(start).Seconds()
		if err := emit(e.stdout, res); err != nil {
			return err
		}
		start = time.Now()
	}
	return nil
}

// sweepGrid is the blend weights --sweep tries: the ALS weight fixed at 1
// (Rank is linear, so only ratios matter) or 0, the others on a grid.
func sweepGrid() []recommend.Weights {
	var out []recommend.Weights
	for _, cf := range []float64{0, 1} {
		for _, knn := range []float64{0, 0.25, 0.5, 1, 2, 4} {
			for _, content := range []float64{0, 0.1, 0.2, 0.3, 0.5} {
				for _, pop := range []float64{0, 0.05, 0.1, 0.15, 0.25, 0.4} {
					if cf == 0 && knn == 0 {
						continue
					}
					out = append(out, recommend.Weights{CF: cf, KNN: knn, Content: content, Popularity: pop, Network: recommend.DefaultWeights.Network})
				}
			}
		}
	}
	return out
}

// leaveLastOut holds out each user's last interaction (by timestamp, then
// log order) when the user has at least two: train maps users to their
// other items in time order, test to the held-out item. With validation,
// the last interaction is dropped first and the second-last held out, so
// weights tuned there never saw the test items.
func leaveLastOut(l *relLog, validation bool) (train map[int][]int, test map[int]int) {
	byUser := map[int][]event{}
	for _, e := range l.events {
		byUser[e.user] = append(byUser[e.user], e)
	}
	train, test = map[int][]int{}, map[int]int{}
	for u, es := range byUser {
		slices.SortStableFunc(es, func(a, b event) int { return cmp.Compare(a.ts, b.ts) })
		items := make([]int, 0, len(es))
		for _, e := range es {
			items = append(items, e.item)
		}
		if validation && len(items) >= 2 {
			items = items[:len(items)-1]
		}
		if len(items) >= 2 {
			test[u] = items[len(items)-1]
			items = items[:len(items)-1]
		}
		train[u] = items
	}
	return train, test
}

// recommender returns a user's top 10, never an item of history.
type recommender func(user int, history []int) []int

type relevanceMethod struct {
	name string
	fit  func(l *relLog, train map[int][]int) recommender // nil for for_you (runForYou)
}

func relevanceMethods(seed uint64) []relevanceMethod {
	return []relevanceMethod{
		{"random", func(l *relLog, _ map[int][]int) recommender { return randomRec(len(l.items), seed) }},
		{"popularity", func(l *relLog, train map[int][]int) recommender { return popularityRec(len(l.items), train) }},
		{"item_knn", func(l *relLog, train map[int][]int) recommender { return itemKNNRec(len(l.items), train) }},
		{"for_you", nil},
	}
}

// evaluateRelevance computes HitRate@10 and nDCG@10 (one relevant item: 1/log2(rank+2)).
func evaluateRelevance(train map[int][]int, test map[int]int, rec recommender) (hr, ndcg float64) {
	users := make([]int, 0, len(test))
	for u := range test {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		for r, it := range rec(u, train[u]) {
			if it == test[u] {
				hr++
				ndcg += 1 / math.Log2(float64(r)+2)
				break
			}
		}
	}
	n := float64(len(users))
	return hr / n, ndcg / n
}

func randomRec(items int, seed uint64) recommender {
	rng := rand.New(rand.NewPCG(seed, 99))
	return func(_ int, history []int) []int {
		had := map[int]bool{}
		for _, h := range history {
			had[h] = true
		}
		var out []int
		for _, i := range rng.Perm(items) {
			if len(out) == 10 {
				break
			}
			if !had[i] {
				out = append(out, i)
			}
		}
		return out
	}
}

func popularityRec(items int, train map[int][]int) recommender {
	count := make([]int, items)
	for _, its := range train {
		for _, i := range its {
			count[i]++
		}
	}
	order := make([]int, items)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(count[b], count[a]) })
	return func(_ int, history []int) []int {
		return topExcluding(order, history)
	}
}

// topExcluding returns the first 10 of order not in history.
func topExcluding(order, history []int) []int {
	had := map[int]bool{}
	for _, h := range history {
		had[h] = true
	}
	out := make([]int, 0, 10)
	for _, i := range order {
		if len(out) == 10 {
			break
		}
		if !had[i] {
			out = append(out, i)
		}
	}
	return out
}

// itemKNNRec is item-to-item collaborative kNN: score(i) = Σ over history
// items j of cos(i, j), cosine over the item-user incidence vectors
// (co-occurrences / sqrt(n_i · n_j)).
func itemKNNRec(items int, train map[int][]int) recommender {
	byItem := make([][]int, items)
	for u, its := range train {
		for _, i := range its {
			byItem[i] = append(byItem[i], u)
		}
	}
	return func(_ int, history []int) []int {
		score := map[int]float64{}
		for _, j := range history {
			co := map[int]float64{}
			for _, v := range byItem[j] {
				for _, i := range train[v] {
					co[i]++
				}
			}
			for i, c := range co {
				score[i] += c / math.Sqrt(float64(len(byItem[i])*len(byItem[j])))
			}
		}
		return topScored(score, history)
	}
}

// topScored returns the 10 best-scored items not in history (ties: lower index).
func topScored(score map[int]float64, history []int) []int {
	for _, h := range history {
		delete(score, h)
	}
	order := make([]int, 0, len(score))
	for i := range score {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order[:min(10, len(order))]
}

// forYou is Starling's For-you recommender as the server runs it: the
// model (package recommend: ALS and item neighbours, trained on the
// training split) and recommend.ForYou's ranking, given what the server's
// social.ForYou gives it: the history (newest first, at most the server's
// 40), and content candidates nearest the interest query
// (recommend.InterestQuery of the history's texts, embedded by the
// server's default embedder, exact search as the flat index does, the
// embedder's score floor). The log has no follow graph and no trends, so
// Network and Trending are empty.
type forYou struct {
	l     *relLog
	m     *recommend.Model
	emb   *subword.Model
	vecs  [][]float32
	cands map[int]map[int64]recommend.Signals // per user, gathered once for a sweep
}

func newForYou(l *relLog, train map[int][]int, opt recommend.Options) (*forYou, error) {
	var ints []recommend.Interaction
	users := make([]int, 0, len(train))
	for u := range train {
		users = append(users, u)
	}
	slices.Sort(users) // training order fixes the model
	for _, u := range users {
		for _, i := range train[u] {
			ints = append(ints, recommend.Interaction{User: int64(u), Item: int64(i)})
		}
	}
	opt.Seed = 1
	m, err := recommend.Train(ints, opt)
	if err != nil {
		return nil, err
	}
	emb, err := subword.Default()
	if err != nil {
		return nil, err
	}
	fy := &forYou{l: l, m: m, emb: emb, vecs: make([][]float32, len(l.items)), cands: map[int]map[int64]recommend.Signals{}}
	for i, t := range l.texts {
		fy.vecs[i] = emb.Embed(t)
	}
	return fy, nil
}

// candidates is recommend.Candidates for user, as the server gathers them.
func (fy *forYou) candidates(user int, history []int) map[int64]recommend.Signals {
	if c, ok := fy.cands[user]; ok {
		return c
	}
	var v recommend.Viewer
	texts := make([]string, 0, len(history))
	for k := len(history) - 1; k >= 0 && len(v.History) < forYouHistory; k-- {
		v.History = append(v.History, int64(history[k]))
		texts = append(texts, fy.l.texts[history[k]])
	}
	if q := fy.emb.Embed(recommend.InterestQuery(texts)); q != nil {
		v.Content = nearestContent(fy.vecs, q, recommend.ContentCandidates, fy.emb.MinScore())
	}
	c := recommend.Candidates(fy.m, v, forYouLength)
	fy.cands[user] = c
	return c
}

// recommender ranks as recommend.ForYou does with w.
func (fy *forYou) recommender(w recommend.Weights) recommender {
	return func(user int, history []int) []int {
		ranked := recommend.Rank(fy.candidates(user, history), w)
		out := make([]int, 0, 10)
		for _, id := range ranked[:min(10, len(ranked))] {
			out = append(out, int(id))
		}
		return out
	}
}

// The server's For-you bounds (package social): history length and
// ranking length.
const (
	forYouHistory = 40
	forYouLength  = 200
)

// nearestContent returns the k items nearest q by cosine with a score of
// at least floor, best first (ties: lower index): what the server's index
// answers for the interest query.
func nearestContent(vecs [][]float32, q []float32, k int, floor float32) []int64 {
	type hit struct {
		item int
		sc   float32
	}
	var all []hit
	for i, v := range vecs {
		if len(v) != len(q) {
			continue
		}
		var dot float32
		for d, x := range v {
			dot += q[d] * x
		}
		if dot >= floor {
			all = append(all, hit{i, dot})
		}
	}
	slices.SortStableFunc(all, func(a, b hit) int { return cmp.Compare(b.sc, a.sc) })
	out := make([]int64, 0, k)
	for _, h := range all[:min(k, len(all))] {
		out = append(out, int64(h.item))
	}
	return out
}
