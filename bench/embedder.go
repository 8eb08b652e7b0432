package main

import (
	"container/heap"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/search/subword"
)

// The embedder bench: does an embedder place texts by meaning? Labelled
// retrieval on the seed corpus (../shared/data/short-posts-en), whose
// posts come from six corpora on three topics. Queries are posts the
// shipped model never saw in training (subword.HeldOut), the same number
// per topic; the base is posts it did see (without their labels: training
// is unsupervised). For each query the exact top 10 by cosine is judged:
//
//   - topic:    same topic (product reviews, movies, US politics);
//   - source:   same corpus (six: finer, e.g. movie reviews vs plot lines);
//   - disjoint: same topic, among only the base posts that share no content
//     word with the query. Matching words cannot help here, so this is the
//     test of meaning: a bag-of-words embedder is at chance.
//
// Reported per task: precision@10 (share of the 10 that are relevant) and
// MRR@10 (1/rank of the first relevant one, 0 if none), averaged over the
// queries, for every embedder on the same queries and base.

// topicOf maps a corpus to its topic.
var topicOf = map[string]string{
	"pros_cons": "products", "movie_reviews": "movies", "sentence_polarity": "movies",
	"subjectivity": "movies", "state_union": "politics", "inaugural": "politics",
}

type embedderTask struct {
	Precision10 float64 `json:"precision_at_10"`
	MRR10       float64 `json:"mrr_at_10"`
}

type embedderResult struct {
	provenance
	Bench       string                  `json:"bench"`
	Embedder    string                  `json:"embedder"`
	Dim         int                     `json:"dim"`
	Queries     int                     `json:"queries"`
	Base        int                     `json:"base"`
	Tasks       map[string]embedderTask `json:"tasks"`
	EmbedPerS   float64                 `json:"embeds_per_s"`
	ChanceTopic float64                 `json:"chance_precision_topic"`
}

func runEmbedderBench(e *env, args []string) error {
	fs := flag.NewFlagSet("embedder", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	posts := fs.String("posts", "../shared/data/short-posts-en/posts.tsv.gz", "labelled corpus (TSV: row source text)")
	queries := fs.Int("queries", 999, "held-out queries (split evenly over the three topics)")
	base := fs.Int("base", 30_000, "base posts (an even stride over the training rows)")
	model := fs.String("model", "", "subword model file (default: the one built into the binary)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *queries < 3 || *base < 10 {
		return usagef("--queries must be at least 3 and --base at least 10")
	}
	all, err := subword.ReadPosts(*posts)
	if err != nil {
		return usageError{err}
	}
	qs, bs := splitEmbedderSet(all, *queries, *base)
	sub, err := loadModel(*model)
	if err != nil {
		return usageError{err}
	}
	embedders := []search.TextEmbedder{search.NewHashEmbedder(search.DefaultDim), sub}
	for _, emb := range embedders {
		fmt.Fprintf(e.stderr, "embedder %s: %d queries, %d base\n", emb.Name(), len(qs), len(bs))
		res, err := evalEmbedder(emb, qs, bs)
		if err != nil {
			return err
		}
		res.provenance = newProvenance(e.command)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

func loadModel(path string) (*subword.Model, error) {
	if path == "" {
		return subword.Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return subword.Load(data)
}

// splitEmbedderSet picks q held-out queries (q/3 per topic, an even stride
// over each topic's held-out rows) and b base posts from the training rows.
func splitEmbedderSet(all []subword.Post, q, b int) (queries, base []subword.Post) {
	byTopic := map[string][]subword.Post{}
	var train []subword.Post
	for _, p := range all {
		if _, ok := topicOf[p.Source]; !ok {
			continue
		}
		if subword.HeldOut(p.Row) {
			byTopic[topicOf[p.Source]] = append(byTopic[topicOf[p.Source]], p)
		} else {
			train = append(train, p)
		}
	}
	for _, t := range []string{"products", "movies", "politics"} {
		queries = append(queries, stride(byTopic[t], q/3)...)
	}
	return queries, stride(train, b)
}

func stride(ps []subword.Post, n int) []subword.Post {
	if n >= len(ps) {
		return ps
	}
	out := make([]subword.Post, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, ps[i*len(ps)/n])
	}
	return out
}

type embedded struct {
	vec   []float32
	words map[string]bool
	post  subword.Post
}

func embedAll(emb search.TextEmbedder, ps []subword.Post) []embedded {
	out := make([]embedded, 0, len(ps))
	for _, p := range ps {
		words := map[string]bool{}
		for _, w := range search.ContentWords(p.Text) {
			words[w] = true
		}
		out = append(out, embedded{vec: emb.Embed(p.Text), words: words, post: p})
	}
	return out
}

func evalEmbedder(emb search.TextEmbedder, qs, bs []subword.Post) (embedderResult, error) {
	start := time.Now()
	base := embedAll(emb, bs)
	queries := embedAll(emb, qs)
	took := time.Since(start)
	res := embedderResult{Bench: "embedder", Embedder: emb.Name(), Dim: emb.Dim(), Queries: len(qs), Base: len(bs),
		EmbedPerS: float64(len(qs)+len(bs)) / took.Seconds(), Tasks: map[string]embedderTask{}}
	topics := map[string]int{}
	for _, b := range base {
		topics[topicOf[b.post.Source]]++
	}
	for _, n := range topics { // precision of a random top 10, queries even over topics
		res.ChanceTopic += float64(n) / float64(len(base)) / float64(len(topics))
	}
	sums := map[string]*embedderTask{"topic": {}, "source": {}, "disjoint": {}}
	for _, q := range queries {
		all, disjoint := top10(q, base)
		score := func(task string, ids []int, same func(a, b subword.Post) bool) {
			t := sums[task]
			first := 0
			for r, id := range ids {
				if same(q.post, base[id].post) {
					t.Precision10 += 0.1
					if first == 0 {
						first = r + 1
					}
				}
			}
			if first > 0 {
				t.MRR10 += 1 / float64(first)
			}
		}
		sameTopic := func(a, b subword.Post) bool { return topicOf[a.Source] == topicOf[b.Source] }
		score("topic", all, sameTopic)
		score("source", all, func(a, b subword.Post) bool { return a.Source == b.Source })
		score("disjoint", disjoint, sameTopic)
	}
	for name, t := range sums {
		res.Tasks[name] = embedderTask{Precision10: t.Precision10 / float64(len(queries)), MRR10: t.MRR10 / float64(len(queries))}
	}
	return res, nil
}

// top10 returns the base indexes of q's exact 10 nearest (cosine, ties to
// the lower index), and of the 10 nearest sharing no content word with q.
// A query or base post without a vector scores 0 against everything (as
// the index would not return it, it can only be chance-level filler).
func top10(q embedded, base []embedded) (all, disjoint []int) {
	var h1, h2 scoreHeap
	for i, b := range base {
		s := dot(q.vec, b.vec)
		h1.offer(i, s)
		if len(h2) < 10 || s > h2[0].score {
			shared := false
			for w := range b.words {
				if q.words[w] {
					shared = true
					break
				}
			}
			if !shared {
				h2.offer(i, s)
			}
		}
	}
	return h1.sorted(), h2.sorted()
}

func dot(a, b []float32) float32 {
	if a == nil || b == nil {
		return 0
	}
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

type scored struct {
	id    int
	score float32
}

// scoreHeap keeps the 10 best: a min-heap on score (then on higher id, so
// ties keep the lower id).
type scoreHeap []scored

func (h scoreHeap) Len() int { return len(h) }
func (h scoreHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].id > h[j].id
}
func (h scoreHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *scoreHeap) Push(x any)   { *h = append(*h, x.(scored)) }
func (h *scoreHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *scoreHeap) offer(id int, s float32) {
	if len(*h) < 10 {
		heap.Push(h, scored{id, s})
		return
	}
	if s > (*h)[0].score {
		(*h)[0] = scored{id, s}
		heap.Fix(h, 0)
	}
}

func (h *scoreHeap) sorted() []int {
	out := make([]int, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(scored).id
	}
	return out
}
