package subword

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// Config are the training hyper-parameters. The zero value of a field
// takes the default (DefaultConfig).
type Config struct {
	Dim      int     // vector size
	Epochs   int     // passes over the corpus
	MinCount int     // words seen fewer times get no row of their own (n-grams only)
	Window   int     // largest context window (each position draws 1..Window)
	Negative int     // negative samples per context word
	LR       float32 // starting learning rate, decayed linearly to 0
	MinN     int     // shortest character n-gram
	MaxN     int     // longest character n-gram
	Buckets  uint32  // hashed n-gram rows
	Sample   float64 // frequent-word subsampling threshold
	Seed     uint64  // the run is deterministic for a seed (one thread)
	// Progress, when set, is called about every 1% with the fraction done.
	Progress func(done float64)
}

// DefaultConfig is what the shipped model is trained with: small enough to
// ship in the binary (about 2 MB quantised) and to train in minutes on one
// core.
var DefaultConfig = Config{Dim: 64, Epochs: 5, MinCount: 5, Window: 5, Negative: 5, LR: 0.05,
	MinN: 3, MaxN: 5, Buckets: 1 << 14, Sample: 1e-4, Seed: 1}

func (c Config) withDefaults() Config {
	d := DefaultConfig
	if c.Dim > 0 {
		d.Dim = c.Dim
	}
	if c.Epochs > 0 {
		d.Epochs = c.Epochs
	}
	if c.MinCount > 0 {
		d.MinCount = c.MinCount
	}
	if c.Window > 0 {
		d.Window = c.Window
	}
	if c.Negative > 0 {
		d.Negative = c.Negative
	}
	if c.LR > 0 {
		d.LR = c.LR
	}
	if c.MinN > 0 {
		d.MinN = c.MinN
	}
	if c.MaxN > 0 {
		d.MaxN = c.MaxN
	}
	if c.Buckets > 0 {
		d.Buckets = c.Buckets
	}
	if c.Sample > 0 {
		d.Sample = c.Sample
	}
	if c.Seed > 0 {
		d.Seed = c.Seed
	}
	d.Progress = c.Progress
	return d
}

// rng is splitmix64: fast, and the same sequence on every platform.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// trainer holds the two weight matrices of skip-gram with negative
// sampling: in (one row per vocabulary word, then one per n-gram bucket)
// and out (one row per vocabulary word).
type trainer struct {
	cfg      Config
	dim      int
	in, out  []float32
	subwords [][]int32 // input rows of each vocabulary word: itself, then its n-grams
	negTable []int32
	rnd      rng
	hidden   []float32
	grad     []float32
}

// Train learns a model from sentences (each a list of tokens, as Tokenize
// returns). It checks ctx between sentences.
func Train(ctx context.Context, sentences [][]string, cfg Config) (*Model, error) {
	cfg = cfg.withDefaults()
	if cfg.MinN > cfg.MaxN {
		return nil, fmt.Errorf("subword: MinN %d > MaxN %d", cfg.MinN, cfg.MaxN)
	}
	words, counts, total := buildVocab(sentences, cfg.MinCount)
	if len(words) == 0 {
		return nil, fmt.Errorf("subword: no word occurs %d times in the corpus", cfg.MinCount)
	}
	index := make(map[string]int32, len(words))
	for i, w := range words {
		index[w] = int32(i)
	}
	t := &trainer{cfg: cfg, dim: cfg.Dim, rnd: rng(cfg.Seed),
		hidden: make([]float32, cfg.Dim), grad: make([]float32, cfg.Dim)}
	v := len(words)
	t.in = make([]float32, (v+int(cfg.Buckets))*cfg.Dim)
	t.out = make([]float32, v*cfg.Dim)
	scale := 1 / float64(cfg.Dim)
	for i := range t.in {
		t.in[i] = float32((t.rnd.float()*2 - 1) * scale)
	}
	t.subwords = make([][]int32, v)
	var buf []uint32
	for i, w := range words {
		buf = ngramBuckets(w, cfg.MinN, cfg.MaxN, cfg.Buckets, buf[:0])
		ids := make([]int32, 0, len(buf)+1)
		ids = append(ids, int32(i))
		for _, b := range buf {
			ids = append(ids, int32(v)+int32(b))
		}
		t.subwords[i] = ids
	}
	t.negTable = negativeTable(counts)
	keep := make([]float64, v) // probability of keeping each word (subsampling)
	for i, c := range counts {
		f := float64(c) / float64(total)
		keep[i] = math.Min(1, math.Sqrt(cfg.Sample/f)+cfg.Sample/f)
	}

	steps := float64(cfg.Epochs) * float64(total)
	var seen float64
	lastReport := -1
	ids := make([]int32, 0, 64)
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		for _, s := range sentences {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ids = ids[:0]
			for _, w := range s {
				if i, ok := index[w]; ok {
					seen++
					if t.rnd.float() < keep[i] {
						ids = append(ids, i)
					}
				}
			}
			lr := cfg.LR * float32(1-seen/steps)
			t.sentence(ids, max(lr, cfg.LR*1e-4))
			if pct := int(100 * seen / steps); cfg.Progress != nil && pct != lastReport {
				lastReport = pct
				cfg.Progress(seen / steps)
			}
		}
	}
	return t.model(words, counts, total, sentences, index), nil
}

// buildVocab keeps the words seen at least minCount times, most frequent
// first (ties by spelling, so the order is deterministic).
func buildVocab(sentences [][]string, minCount int) ([]string, []uint32, uint64) {
	freq := map[string]uint32{}
	for _, s := range sentences {
		for _, w := range s {
			freq[w]++
		}
	}
	words := make([]string, 0, len(freq))
	for w, c := range freq {
		if int(c) >= minCount {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if freq[words[i]] != freq[words[j]] {
			return freq[words[i]] > freq[words[j]]
		}
		return words[i] < words[j]
	})
	counts := make([]uint32, len(words))
	var total uint64
	for i, w := range words {
		counts[i] = freq[w]
		total += uint64(freq[w])
	}
	return words, counts, total
}

// negativeTable samples words by count^0.75, as word2vec does.
func negativeTable(counts []uint32) []int32 {
	const size = 1 << 20
	var z float64
	for _, c := range counts {
		z += math.Pow(float64(c), 0.75)
	}
	table := make([]int32, 0, size)
	for i, c := range counts {
		n := int(math.Ceil(math.Pow(float64(c), 0.75) / z * size))
		for j := 0; j < n && len(table) < size; j++ {
			table = append(table, int32(i))
		}
	}
	return table
}

// sentence runs one skip-gram pass over a sentence of vocabulary ids.
func (t *trainer) sentence(ids []int32, lr float32) {
	for pos, center := range ids {
		win := 1 + int(t.rnd.next()%uint64(t.cfg.Window))
		for c := pos - win; c <= pos+win; c++ {
			if c < 0 || c >= len(ids) || c == pos {
				continue
			}
			t.update(t.subwords[center], ids[c], lr)
		}
	}
}

// update is one step of negative sampling: the mean of the center word's
// input rows should score high against the context word's output row and
// low against Negative random words'.
func (t *trainer) update(inputs []int32, target int32, lr float32) {
	d := t.dim
	h, g := t.hidden, t.grad
	clear(h)
	clear(g)
	for _, r := range inputs {
		row := t.in[int(r)*d : int(r)*d+d]
		for k := range h {
			h[k] += row[k]
		}
	}
	inv := 1 / float32(len(inputs))
	for k := range h {
		h[k] *= inv
	}
	for n := 0; n <= t.cfg.Negative; n++ {
		label := float32(1)
		w := target
		if n > 0 {
			label = 0
			w = t.negTable[t.rnd.next()%uint64(len(t.negTable))]
			if w == target {
				continue
			}
		}
		out := t.out[int(w)*d : int(w)*d+d]
		var dot float32
		for k := range h {
			dot += h[k] * out[k]
		}
		alpha := lr * (label - sigmoid(dot))
		for k := range g {
			g[k] += alpha * out[k]
			out[k] += alpha * h[k]
		}
	}
	// As fastText's skip-gram, every input row takes the whole gradient.
	for _, r := range inputs {
		row := t.in[int(r)*d : int(r)*d+d]
		for k := range row {
			row[k] += g[k]
		}
	}
}

func sigmoid(x float32) float32 {
	if x > 8 {
		return 1
	}
	if x < -8 {
		return 0
	}
	return float32(1 / (1 + math.Exp(-float64(x))))
}

// model composes each vocabulary word's vector (the mean of its rows, as
// fastText does), keeps the n-gram rows for unknown words, and removes the
// common direction of sentence vectors (SIF).
func (t *trainer) model(words []string, counts []uint32, total uint64, sentences [][]string, index map[string]int32) *Model {
	d := t.dim
	v := len(words)
	m := &Model{dim: d, minN: t.cfg.MinN, maxN: t.cfg.MaxN, buckets: t.cfg.Buckets,
		words: words, counts: counts, total: total, index: index,
		wordVecs:  make([]float32, v*d),
		ngramVecs: append([]float32(nil), t.in[v*d:]...),
		pc:        make([]float32, d)}
	for i, ids := range t.subwords {
		dst := m.wordVecs[i*d : i*d+d]
		for _, r := range ids {
			row := t.in[int(r)*d : int(r)*d+d]
			for k := range dst {
				dst[k] += row[k]
			}
		}
		inv := 1 / float32(len(ids))
		for k := range dst {
			dst[k] *= inv
		}
	}
	// Skip-gram vectors share one large direction (and the hashed n-gram
	// rows, each a mix of many n-grams, share it most); it would swamp the
	// int8 rounding, so it goes before quantising ("all-but-the-top").
	subtractMean(m.wordVecs, d)
	subtractMean(m.ngramVecs, d)
	m.quantize() // the principal component is computed on the vectors that ship
	m.pc = m.principalComponent(sentences, t.cfg.Seed)
	return m
}

// subtractMean centres rows (each d long) on their mean.
func subtractMean(rows []float32, d int) {
	mean := make([]float64, d)
	n := len(rows) / d
	for i := 0; i < len(rows); i += d {
		for k := 0; k < d; k++ {
			mean[k] += float64(rows[i+k])
		}
	}
	for i := 0; i < len(rows); i += d {
		for k := 0; k < d; k++ {
			rows[i+k] -= float32(mean[k] / float64(n))
		}
	}
}
