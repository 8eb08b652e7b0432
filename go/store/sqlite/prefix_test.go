package sqlite

import "testing"

func TestPrefixRange(t *testing.T) {
	for _, tc := range []struct {
		p, lo, hi string
		ok        bool
	}{
		{"al", "al", "am", true},
		{"al_", "al_", "al`", true},
		{"z", "z", "{", true},
		{"é", "é", "\xc3\xaa", true},
		{"a\xff", "a\xff", "b", true},
		{"\xff\xff", "", "", false},
	} {
		lo, hi, ok := prefixRange(tc.p)
		if lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("prefixRange(%q) = %q, %q, %v; want %q, %q, %v", tc.p, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}
