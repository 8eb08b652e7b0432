// Package subword is Starling's built-in text embedder that captures
// meaning without a download or an external service: fastText-style
// skip-gram word vectors with character n-grams, trained by this package
// (std only, deterministic for a seed), pooled into sentence vectors with
// SIF weighting (smooth inverse frequency, first principal component
// removed).
//
// Train learns a Model from tokenised sentences; Model.Marshal writes the
// compact quantised form that ships in the binary (default.model, made by
// `make embedder-model`); Load reads it back; Model.Embed turns a text into
// a unit vector. The search package wraps a Model as its default Embedder;
// use search.HTTPEmbedder instead for a hosted model.
package subword
