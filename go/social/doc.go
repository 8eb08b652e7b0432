// Package social holds Starling's domain rules: who may register and log in,
// who may follow whom, what a valid status is, and who may see which status.
// The HTTP layer calls it with the authenticated viewer and plain inputs; it
// never sees an *http.Request, and it reports failures as *Error values with
// a Kind that package api maps to an HTTP status in one place.
//
// Its collaborators are interfaces declared here, where they are consumed:
// the store (package store), a Moderator (the policy plugins), an Embedder
// and an Indexer (package search), a HomeFeed (package feed) and a
// StatusSearcher (package search). The wiring lives in cmd/starling.
package social
