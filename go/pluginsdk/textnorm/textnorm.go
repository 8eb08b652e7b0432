package textnorm

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text is a normalized string with a map back to the original.
type Text struct {
	// Norm is the normalized text.
	Norm string
	// src[i] is the byte offset in the original of the rune that produced
	// Norm's byte i; src[len(Norm)] is the original's length.
	src []int32
	// srcEnd[i] is the end of that rune in the original.
	srcEnd []int32
}

// New normalizes s and keeps the map back to it. Invalid UTF-8 bytes become
// U+FFFD, as ranging over a string does.
func New(s string) *Text {
	t := &Text{src: make([]int32, 0, len(s)+1), srcEnd: make([]int32, 0, len(s)+1)}
	out := make([]byte, 0, len(s))
	var dec [64]byte
	space := true // drop leading space, collapse runs
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			end = i + 1
		}
		emit := func(x rune) {
			if x == ' ' {
				if space {
					return
				}
				space = true
			} else {
				space = false
			}
			n := len(out)
			out = utf8.AppendRune(out, x)
			for range len(out) - n {
				t.src = append(t.src, int32(i))
				t.srcEnd = append(t.srcEnd, int32(end))
			}
		}
		if r < utf8.RuneSelf { // ASCII fast path
			switch {
			case 'A' <= r && r <= 'Z':
				emit(r + 'a' - 'A')
			case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
				emit(' ')
			default:
				emit(r)
			}
			continue
		}
		if invisible(r) {
			continue
		}
		if unicode.IsSpace(r) {
			emit(' ')
			continue
		}
		var rb [utf8.UTFMax]byte
		d := norm.NFKD.Append(dec[:0], rb[:utf8.EncodeRune(rb[:], r)]...)
		for _, x := range string(d) {
			if unicode.Is(unicode.Mn, x) || invisible(x) {
				continue // diacritics, and what decomposition exposes
			}
			foldRune(x, emit)
		}
	}
	// A trailing space carries nothing.
	if len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
		t.src, t.srcEnd = t.src[:len(out)], t.srcEnd[:len(out)]
	}
	t.Norm = string(out)
	t.src = append(t.src, int32(len(s)))
	t.srcEnd = append(t.srcEnd, int32(len(s)))
	return t
}

// String returns s normalized, without the map.
func String(s string) string { return New(s).Norm }

// Span maps Norm[i:j] (i < j, on rune boundaries) back to the original
// bytes that produced it.
func (t *Text) Span(i, j int) (start, end int) {
	return int(t.src[i]), int(t.srcEnd[j-1])
}

// IsWordRune reports whether r is part of a word in normalized text:
// letters and digits. Word boundaries fall between a word rune and anything
// else.
func IsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// invisible reports format characters that render as nothing, which an
// author can slip into a word to hide it from a filter: zero-width space,
// non-joiner, joiner, word joiner, soft hyphen, bidi controls (all of
// category Cf), the combining grapheme joiner, variation selectors and the
// Hangul fillers.
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Cf, r):
		return true
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		return true
	case 0xFE00 <= r && r <= 0xFE0F, 0xE0100 <= r && r <= 0xE01EF:
		return true
	}
	return false
}

// foldRune case-folds r fully (ß → ss) and folds look-alikes to Latin,
// passing each resulting rune to emit.
func foldRune(r rune, emit func(rune)) {
	switch r {
	case 'ß', 'ẞ':
		emit('s')
		emit('s')
		return
	case 'ſ': // long s
		emit('s')
		return
	}
	r = unicode.ToLower(r)
	if l, ok := lookalike[r]; ok {
		r = l
	}
	emit(r)
}

// lookalike maps lower-case letters of other scripts (and a few Latin
// letters without a decomposition) that are commonly used as homoglyphs of
// Latin letters to those letters. It is deliberately short: only glyphs
// that look the same in common fonts, so real words in those scripts are
// rarely folded onto a blocked Latin word.
var lookalike = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'ԁ': 'd',
	'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'ү': 'y', 'һ': 'h',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o',
	'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w',
	// Latin letters with a stroke or without a dot, which NFKD keeps
	'ı': 'i', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŧ': 't', 'ɑ': 'a', 'ɡ': 'g',
	'ɩ': 'i', 'ʏ': 'y', 'ƅ': 'b',
}
