package main

import (
	"cmp"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/search"
)

// relevanceResult is one recommender's leave-last-out score on one log.
type relevanceResult struct {
	provenance
	Bench     string  `json:"bench"` // "relevance"
	Dataset   string  `json:"dataset"`
	Method    string  `json:"method"` // for_you, random, popularity, item_knn
	Users     int     `json:"users"`  // evaluated: users with at least 2 interactions
	Items     int     `json:"items"`
	Events    int     `json:"events"`
	HitRate10 float64 `json:"hit_rate_at_10"`
	NDCG10    float64 `json:"ndcg_at_10"`
	Seconds   float64 `json:"seconds"` // training plus all users' top 10
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
	fs.Float64Var(&w.Content, "w-content", w.Content, "For-you weight of content similarity (default: the server's)")
	fs.Float64Var(&w.Popularity, "w-popularity", w.Popularity, "For-you weight of the popularity prior (default: the server's)")
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
	train, test := leaveLastOut(l)
	fmt.Fprintf(e.stderr, "relevance: %d events, %d users evaluated, %d items\n", len(l.events), len(test), len(l.items))
	for _, m := range relevanceMethods(*seed, opt, w) {
		start := time.Now()
		rec, err := m.fit(l, train)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		hr, ndcg := evaluateRelevance(train, test, rec)
		res := relevanceResult{provenance: newProvenance(e.command), Bench: "relevance", Dataset: dataset, Method: m.name,
			Users: len(test), Items: len(l.items), Events: len(l.events), HitRate10: hr, NDCG10: ndcg,
			Seconds: time.Since(start).Seconds()}
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// leaveLastOut holds out each user's last interaction (by timestamp, then
// log order) when the user has at least two: train maps users to their
// other items in time order, test to the held-out item.
func leaveLastOut(l *relLog) (train map[int][]int, test map[int]int) {
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
	fit  func(l *relLog, train map[int][]int) (recommender, error)
}

func relevanceMethods(seed uint64, opt recommend.Options, w recommend.Weights) []relevanceMethod {
	return []relevanceMethod{
		{"random", func(l *relLog, _ map[int][]int) (recommender, error) { return randomRec(len(l.items), seed), nil }},
		{"popularity", func(l *relLog, train map[int][]int) (recommender, error) {
			return popularityRec(len(l.items), train), nil
		}},
		{"item_knn", func(l *relLog, train map[int][]int) (recommender, error) { return itemKNNRec(len(l.items), train), nil }},
		{"for_you", func(l *relLog, train map[int][]int) (recommender, error) { return forYouRec(l, train, opt, w) }},
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

// forYouRec is Starling's For-you recommender as the server runs it: the
// collaborative model (package recommend, trained on the training split),
// content candidates nearest the user's interest vector (the mean of the
// built-in embedder's vectors of its history, as the server's interest
// query), the popularity prior, blended by recommend.Rank with the
// server's weights. The log has no follow graph, so Network is 0.
func forYouRec(l *relLog, train map[int][]int, opt recommend.Options, w recommend.Weights) (recommender, error) {
	var ints []recommend.Interaction
	for u, its := range train {
		for _, i := range its {
			ints = append(ints, recommend.Interaction{User: int64(u), Item: int64(i)})
		}
	}
	opt.Seed = 1
	m, err := recommend.Train(ints, opt)
	if err != nil {
		return nil, err
	}
	emb := search.NewHashEmbedder(search.DefaultDim)
	vecs := make([][]float32, len(l.items))
	for i, t := range l.texts {
		vecs[i] = emb.Embed(t)
	}
	const candidates = 200
	return func(_ int, history []int) []int {
		hist := make([]int64, len(history))
		had := map[int]bool{}
		for k, h := range history {
			hist[k] = int64(h)
			had[h] = true
		}
		cands := map[int64]recommend.Signals{}
		for _, r := range m.Recommend(hist, candidates, nil) {
			cands[r.Item] = recommend.Signals{CF: r.Score}
		}
		for _, c := range nearestContent(vecs, history, had, candidates) {
			g := cands[int64(c.Item)]
			g.Content = c.Score
			cands[int64(c.Item)] = g
		}
		for _, r := range m.Popular(candidates/4, func(id int64) bool { return had[int(id)] }) {
			if _, ok := cands[r.Item]; !ok {
				cands[r.Item] = recommend.Signals{}
			}
		}
		for id, g := range cands {
			g.Popularity = m.Popularity(id)
			cands[id] = g
		}
		ranked := recommend.Rank(cands, w)
		out := make([]int, 0, 10)
		for _, id := range ranked {
			if len(out) == 10 {
				break
			}
			out = append(out, int(id))
		}
		return out
	}, nil
}

type scoredItem struct {
	Item  int
	Score float64
}

// nearestContent returns the k items most similar (cosine, clipped at 0)
// to the mean vector of history, best first, skipping had: what the
// server's index answers for the interest query.
func nearestContent(vecs [][]float32, history []int, had map[int]bool, k int) []scoredItem {
	if len(history) == 0 {
		return nil
	}
	dim := len(vecs[history[0]])
	q := make([]float64, dim)
	for _, h := range history {
		for d, x := range vecs[h] {
			q[d] += float64(x)
		}
	}
	var norm float64
	for _, x := range q {
		norm += x * x
	}
	if norm == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	all := make([]scoredItem, 0, len(vecs))
	for i, v := range vecs {
		if had[i] || len(v) != dim {
			continue
		}
		var dot float64
		for d, x := range v {
			dot += q[d] * float64(x)
		}
		all = append(all, scoredItem{i, max(0, dot/norm)})
	}
	slices.SortFunc(all, func(a, b scoredItem) int { return cmp.Compare(b.Score, a.Score) })
	return all[:min(k, len(all))]
}
