package store

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
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
	words := TextWords(query)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	return words
}

// TextWords splits text into words as SearchWords does, without its bound:
// a backend that checks a stored text for a query's words in Go (SQLite's
// search) must see the words its full-text index saw.
func TextWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), notWordRune)
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// EachWord calls fn with each word of text, as TextWords splits it,
// without allocating: word is text's word lower-cased into buf (reused,
// valid only during the call). It returns buf for the next call.
func EachWord(text []byte, buf []byte, fn func(word []byte)) []byte {
	buf = buf[:0]
	for i := 0; i < len(text); {
		if b := text[i]; b < utf8.RuneSelf { // ASCII, most text: no tables
			i++
			switch {
			case 'a' <= b && b <= 'z' || '0' <= b && b <= '9':
				buf = append(buf, b)
			case 'A' <= b && b <= 'Z':
				buf = append(buf, b+'a'-'A')
			case len(buf) > 0:
				fn(buf)
				buf = buf[:0]
			}
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		i += n
		if r = unicode.ToLower(r); notWordRune(r) {
			if len(buf) > 0 {
				fn(buf)
				buf = buf[:0]
			}
			continue
		}
		buf = utf8.AppendRune(buf, r)
	}
	if len(buf) > 0 {
		fn(buf)
	}
	return buf
}
