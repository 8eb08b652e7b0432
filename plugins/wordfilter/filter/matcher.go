package filter

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"

	"github.com/starling-social/starling/go/pluginsdk/textnorm"
)

// maxWords and maxWordBytes bound the automaton an operator's config builds.
const (
	maxWords     = 100_000
	maxWordBytes = 256
)

// matcher finds blocked words and phrases in normalized text with one
// Aho–Corasick automaton: one pass over the text, whatever the number of
// words. It is immutable, so safe for concurrent use.
type matcher struct {
	ac *ahocorasick.Automaton
}

func newMatcher(words []string) (*matcher, error) {
	if len(words) == 0 {
		return nil, errors.New("words: must list at least one word")
	}
	if len(words) > maxWords {
		return nil, fmt.Errorf("words: %d listed, at most %d", len(words), maxWords)
	}
	patterns := make([]string, 0, len(words))
	for i, w := range words {
		n := textnorm.String(w)
		switch {
		case n == "":
			return nil, fmt.Errorf("words[%d]: empty once normalized", i)
		case len(n) > maxWordBytes:
			return nil, fmt.Errorf("words[%d]: longer than %d bytes", i, maxWordBytes)
		}
		// An entry must start and end with a letter or digit: one that ends
		// in punctuation could never sit at a word boundary, and would
		// silently match nothing.
		first, _ := utf8.DecodeRuneInString(n)
		last, _ := utf8.DecodeLastRuneInString(n)
		if !textnorm.IsWordRune(first) || !textnorm.IsWordRune(last) {
			return nil, fmt.Errorf("words[%d]: %q must start and end with a letter or digit", i, w)
		}
		patterns = append(patterns, n)
	}
	slices.Sort(patterns)
	patterns = slices.Compact(patterns)
	ac, err := ahocorasick.NewBuilder().AddStrings(patterns).Build()
	if err != nil {
		return nil, fmt.Errorf("words: %w", err)
	}
	return &matcher{ac: ac}, nil
}

// spans returns the original-text byte ranges of every whole-word match in
// s, in order and merged where they overlap. Overlapping matches are all
// considered, so a pattern inside a longer non-word run ("ass" in "class")
// cannot hide a real match next to it.
func (m *matcher) spans(s string) [][2]int {
	if s == "" {
		return nil
	}
	t := textnorm.New(s)
	var out [][2]int
	for _, mt := range m.ac.FindAllOverlapping([]byte(t.Norm)) {
		if !wordBoundary(t.Norm, mt.Start, mt.End) {
			continue
		}
		a, b := t.Span(mt.Start, mt.End)
		out = append(out, [2]int{a, b})
	}
	slices.SortFunc(out, func(x, y [2]int) int { return x[0] - y[0] })
	return mergeSpans(out)
}

// contains reports whether s has a blocked word.
func (m *matcher) contains(s string) bool {
	return len(m.spans(s)) > 0
}

// mask replaces each blocked word in s by asterisks, one per rune of the
// text as written, and says how many it replaced.
func (m *matcher) mask(s string) (string, int) {
	sp := m.spans(s)
	if len(sp) == 0 {
		return s, 0
	}
	var b strings.Builder
	last := 0
	for _, x := range sp {
		b.WriteString(s[last:x[0]])
		b.WriteString(strings.Repeat("*", utf8.RuneCountInString(s[x[0]:x[1]])))
		last = x[1]
	}
	b.WriteString(s[last:])
	return b.String(), len(sp)
}

// wordBoundary reports whether norm[i:j] is a whole word (or phrase): not
// preceded or followed by a letter or digit.
func wordBoundary(norm string, i, j int) bool {
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(norm[:i]); textnorm.IsWordRune(r) {
			return false
		}
	}
	if j < len(norm) {
		if r, _ := utf8.DecodeRuneInString(norm[j:]); textnorm.IsWordRune(r) {
			return false
		}
	}
	return true
}

// mergeSpans joins sorted spans that overlap or touch.
func mergeSpans(in [][2]int) [][2]int {
	var out [][2]int
	for _, x := range in {
		if n := len(out); n > 0 && x[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}
