// Package search embeds text and keeps the server's vector indexes live
// over the Rust library (package vecsearch).
//
// An Index is one collection's index: exact (flat) below a size threshold,
// IVF-PQ above it, trained in the background on a sample and swapped in
// atomically, retrained when the collection has doubled. Adds and removes
// are incremental; a build journals and replays them. Snapshots (Save,
// Load) tag the index with the embedder whose vectors it holds and the
// high-water mark CatchUp resumes from; Follow keeps a process current
// with what the other processes stored; Check measures served recall.
//
// Vectors live in SQL per embedder (status_vectors), the source of truth.
// Embedders: HashEmbedder (built in: feature hashing of words and word
// pairs, matches words, not meaning) and HTTPEmbedder (an OpenAI-compatible
// /v1/embeddings service, with retries and a circuit breaker). Statuses
// ties them to the statuses' index: it embeds what is posted (inline for
// the built-in embedder, else in the background job RunEmbedder), removes
// what is deleted, and answers queries with IDs for social to filter.
package search
