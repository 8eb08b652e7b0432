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
// Beside the factors, Train keeps each item's nearest items by cosine over
// who interacted (item kNN, knn.go): ALS smooths co-occurrence into a few
// factors, the neighbours keep its sharp local part, and the blend of
// both beats either on the relevance bench.
//
// ForYou gathers a viewer's candidates (ALS, neighbours, and the content,
// network and trending candidates its caller found) and Rank blends their
// Signals with Weights. It knows nothing about statuses or SQL: package
// social gives it what it read and filters the ranking by the one
// visibility rule; the relevance bench gives it what its log holds, so
// the bench measures the server's recommender.
package recommend
