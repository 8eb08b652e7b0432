// Package recommend learns what accounts like from what they do
// (favourites, boosts) and blends it with content similarity and a
// popularity prior: the "For you" timeline's scorer and the relevance
// bench's recommender (bench/relevance.go replays logs through it).
//
// Model is implicit-feedback ALS (Hu, Koren and Volinsky, "Collaborative
// Filtering for Implicit Feedback Datasets", 2008), written here in Go:
// every observed (user, item) pair is a preference of confidence 1+Alpha,
// every other pair a weak zero. Training is bounded (the caller passes at
// most a fixed number of interactions, Factors and Iterations are capped)
// and runs off the request path; a viewer's vector is folded in from their
// current history at query time, so what they did since training counts.
//
// Rank blends per-candidate Signals with Weights; it knows nothing about
// statuses or SQL, so package social feeds it candidates it has already
// filtered by the one visibility rule.
package recommend
