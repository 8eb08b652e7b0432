package textnorm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii lower", "Hello World", "hello world"},
		{"full-width (NFKC)", "ＳＰＡＭ", "spam"},
		{"mathematical bold", "𝐬𝐩𝐚𝐦", "spam"},
		{"ligature", "ﬁne", "fine"},
		{"zero-width space inside", "sp\u200bam", "spam"},
		{"zero-width joiner and non-joiner", "s\u200dp\u200ca\u2060m", "spam"},
		{"soft hyphen", "spa\u00adm", "spam"},
		{"bidi override", "\u202espam\u202c", "spam"},
		{"variation selector", "spa\ufe0fm", "spam"},
		{"BOM", "\ufeffspam", "spam"},
		{"precomposed diacritics", "spám ñu", "spam nu"},
		{"decomposed diacritics", "spa\u0301m", "spam"},
		{"Cyrillic look-alikes", "ѕраm", "spam"},
		{"Cyrillic upper look-alikes", "СКАМ", "ckam"},
		{"Greek look-alikes", "ΑΒΕ", "abe"},
		{"dotless i and stroke l", "cıal", "cial"},
		{"sharp s folds fully", "STRAẞE straße", "strasse strasse"},
		{"Kelvin sign", "\u212Aelvin", "kelvin"},
		{"white space collapsed", "  a \t\n b\u00a0\u2003c  ", "a b c"},
		{"digits kept", "Ⅻ 2²", "xii 22"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSpanMapsBack(t *testing.T) {
	in := "Buy ＳＰＡ\u200bＭ now, sp\u0301am!"
	tx := New(in)
	if tx.Norm != "buy spam now, spam!" {
		t.Fatalf("Norm = %q", tx.Norm)
	}
	for _, tt := range []struct {
		word string
		nth  int
		want string
	}{
		{"spam", 0, "ＳＰＡ\u200bＭ"},
		{"spam", 1, "sp\u0301am"},
		{"buy", 0, "Buy"},
	} {
		i := -1
		for range tt.nth + 1 {
			j := strings.Index(tx.Norm[i+1:], tt.word)
			if j < 0 {
				t.Fatalf("%q not found", tt.word)
			}
			i += j + 1
		}
		s, e := tx.Span(i, i+len(tt.word))
		if got := in[s:e]; got != tt.want {
			t.Errorf("Span of %s #%d = %q, want %q", tt.word, tt.nth, got, tt.want)
		}
	}
}

// FuzzNew checks the invariants any input must keep: valid UTF-8 out, a
// monotone map that stays inside the input, and idempotence.
func FuzzNew(f *testing.F) {
	for _, s := range []string{"", "ＳＰＡ\u200bＭ", "a\xffb", "ß\u0301 ﬁ", "  x  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tx := New(s)
		if !utf8.ValidString(tx.Norm) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		prev := 0
		for i := range len(tx.Norm) {
			a, b := tx.Span(i, i+1)
			if a < prev || a > b || b > len(s) {
				t.Fatalf("bad map at %d: [%d,%d) after %d, len %d", i, a, b, prev, len(s))
			}
			prev = a
		}
		if again := String(tx.Norm); again != tx.Norm {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, tx.Norm, again)
		}
	})
}
