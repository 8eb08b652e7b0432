package store

import (
	"context"
	"strings"
	"unicode"
)

// TextSearch answers full-text queries over statuses (SQLite FTS4,
// PostgreSQL tsvector). It matches words, not meaning: the vector index in
// package search covers that, and package social fuses the two rankings.
type TextSearch interface {
	// SearchStatusIDsByText returns the IDs of statuses whose text or
	// spoiler text contain every word of query (see SearchWords;
	// case-insensitive, no stemming, accents significant), best match first, at most limit.
	// A query without words matches nothing. Visibility is not applied:
	// the caller filters.
	SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error)
}

// maxSearchWords bounds the words a query contributes, so one request
// cannot build an arbitrarily large full-text query.
const maxSearchWords = 16

// SearchWords splits a free-text query into the words both backends match:
// runs of letters and digits, lower-cased, at most 16. Everything else
// (quotes, operators, punctuation) separates words, so user input never
// reaches a full-text query language as syntax.
func SearchWords(query string) []string {
	words := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	return words
}
