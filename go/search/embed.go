package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// DefaultDim is the embedding size of HashEmbedder.
const DefaultDim = 256

// stopwords carry no topic; hashing them would make every query match every
// post that has "the" in it.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by for from has have he her his i in
		is it its me my no not of on or our she so that the their them they this to too us was we were
		what when which who will with you your`) {
		stopwords[w] = true
	}
}

// HashEmbedder embeds text by signed feature hashing: each word (and each
// adjacent word pair, at half weight) adds ±1 to one of Dim buckets; the
// result is L2-normalised so inner product is cosine similarity.
type HashEmbedder struct {
	dim int
}

// NewHashEmbedder returns an embedder producing dim-dimensional vectors.
func NewHashEmbedder(dim int) *HashEmbedder {
	if dim <= 0 {
		panic("search.NewHashEmbedder: dim must be positive")
	}
	return &HashEmbedder{dim: dim}
}

// Name identifies the hashing scheme and its size.
func (e *HashEmbedder) Name() string { return fmt.Sprintf("hash-v1-%d", e.dim) }

// Dim is the length of every vector Embed returns.
func (e *HashEmbedder) Dim() int { return e.dim }

// Embed returns the unit vector for text, or nil if text has no words.
func (e *HashEmbedder) Embed(text string) []float32 {
	words := tokenize(text)
	if len(words) == 0 {
		return nil
	}
	v := make([]float32, e.dim)
	for i, w := range words {
		e.add(v, w, 1)
		if i > 0 {
			e.add(v, words[i-1]+" "+w, 0.5)
		}
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// EmbedBatch embeds each text (nil for one without words); it never fails.
func (e *HashEmbedder) EmbedBatch(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Embed(t)
	}
	return out, nil
}

func (e *HashEmbedder) add(v []float32, feature string, weight float32) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(feature)) // hash.Hash.Write never fails
	sum := h.Sum64()
	if sum>>63 == 1 {
		weight = -weight
	}
	v[sum%uint64(e.dim)] += weight
}

// tokenize lower-cases text and splits it into words (letters and digits),
// dropping stopwords unless nothing else is left.
func tokenize(text string) []string {
	all := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	content := make([]string, 0, len(all))
	for _, w := range all {
		if !stopwords[w] {
			content = append(content, w)
		}
	}
	if len(content) == 0 {
		return all
	}
	return content
}
