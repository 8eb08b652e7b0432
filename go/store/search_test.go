package store

import (
	"slices"
	"strings"
	"testing"
)

// TestEachWordSplitsAsTextWords: SQLite's search checks common words in
// the statuses' text with EachWord, so it must see exactly the words
// TextWords (and so the queries) see, or a status would be found by one
// path and missed by the other.
func TestEachWordSplitsAsTextWords(t *testing.T) {
	for _, text := range []string{
		"",
		"The quick brown fox",
		"  leading, trailing; punctuation!  ",
		"<p>HTML <a href=\"https://x.example/A1\">Link</a></p>",
		"digits 2026 and mixed a1B2c3",
		"Ünïcödé ÉCOLE straße ΣΊΣΥΦΟΣ İstanbul",
		"日本語のテキスト and emoji 🐦 between",
		"nul\x00byte and tab\tnewline\nend",
		"invalid \xff\xfe utf8 \xc3 ends",
		"combining e\u0301 mark and ﬁ ligature",
		strings.Repeat("word ", 1000),
	} {
		var got []string
		EachWord([]byte(text), nil, func(w []byte) { got = append(got, string(w)) })
		if want := TextWords(text); !slices.Equal(got, want) {
			t.Errorf("EachWord(%.40q) = %q, want %q", text, got, want)
		}
	}
}
