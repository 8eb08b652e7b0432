// Package search turns text into vectors and answers similarity queries over
// statuses with the Rust vector index (through package vecsearch).
//
// The Embedder here is a deliberately simple, dependency-free text embedder
// (signed feature hashing of words and word pairs): queries find posts that
// share words, weighted by rarity within the text. It is a stand-in with the
// same interface a learned model will implement; the index, the rebuild at
// start and the filtering do not change when it is replaced.
//
// Vectors are stored in SQL with their status (the source of truth); the
// in-memory index is rebuilt from them at start (Rebuild) and kept current
// as statuses are posted (StatusCreated).
package search
