package subword

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// maxTokens bounds the words read from one text: a post is short, and an
// oversized input must not cost more than a post's worth of work.
const maxTokens = 512

// maxWordRunes bounds one word's length for n-gram extraction (a 10,000
// letter "word" would otherwise cost 30,000 hashes).
const maxWordRunes = 40

// Tokenize lower-cases text and splits it into words of letters and digits
// (an apostrophe inside a word is kept: "it's", "don't").
func Tokenize(text string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			w := strings.Trim(b.String(), "'")
			if w != "" {
				words = append(words, w)
			}
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			if b.Len() > 0 {
				b.WriteByte('\'')
			}
		default:
			flush()
			if len(words) >= maxTokens {
				return words
			}
		}
	}
	flush()
	if len(words) > maxTokens {
		words = words[:maxTokens]
	}
	return words
}

// ngramBuckets returns the bucket of each character n-gram (minN..maxN
// runes) of "<word>", as fastText does: the brackets mark the word's start
// and end, so "<un" (a prefix) differs from "un" inside a word.
func ngramBuckets(word string, minN, maxN int, buckets uint32, out []uint32) []uint32 {
	rs := []rune("<" + word + ">")
	if len(rs) > maxWordRunes+2 {
		rs = append(rs[:maxWordRunes+1], '>')
	}
	for i := range rs {
		for n := minN; n <= maxN && i+n <= len(rs); n++ {
			if n == len(rs) {
				continue // the whole word is its own row
			}
			h := fnv.New32a()
			_, _ = h.Write([]byte(string(rs[i : i+n]))) // hash.Hash.Write never fails
			out = append(out, h.Sum32()%buckets)
		}
	}
	return out
}
