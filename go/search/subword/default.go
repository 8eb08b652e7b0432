package subword

import (
	"context"
	_ "embed" // the default model ships in the binary
	"sync"
)

// defaultModel is trained from ../shared/data/short-posts-en (CC BY 4.0 and
// public-domain texts; see LICENSE-default-model.md beside it) by
// `make embedder-model`; every 10th row is left out for the bench.
//
//go:embed default.model
var defaultModel []byte

// Default returns the shipped model, decoded once (30–70 ms measured on
// the loaded 2-core VM; about 9 MB in memory as float32).
var Default = sync.OnceValues(func() (*Model, error) { return Load(defaultModel) })

// EmbedBatch embeds each text (nil for one without words); it never fails,
// so the embedding job can treat this model like a remote one.
func (m *Model) EmbedBatch(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = m.Embed(t)
	}
	return out, nil
}
