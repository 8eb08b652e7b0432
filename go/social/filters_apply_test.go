package social

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// TestFilterKeywordMatching checks keyword matching as Mastodon's regexps
// do it: case-insensitive, in the content warning and the text, whole
// words bounded only at the keyword's word-character ends.
func TestFilterKeywordMatching(t *testing.T) {
	cases := []struct {
		keyword   string
		wholeWord bool
		spoiler   string
		text      string
		want      bool
	}{
		{"dune", false, "", "I saw DUNE today", true},
		{"dune", false, "", "sand dunes", true},
		{"dune", true, "", "sand dunes", false},
		{"dune", true, "", "sand dunes and a dune.", true},
		{"dune", true, "", "dune", true},
		{"dune", true, "", "Dune!", true},
		{"dune", true, "", "xdune", false},
		{"dune", true, "", "dune_part_two", false}, // _ is a word character
		{"#tag", true, "", "a #tag!", true},
		{"#tag", true, "", "a#tag", true}, // no boundary needed before '#'
		{"#tag", true, "", "#tags", false},
		{"c++", true, "", "c++rocks", true}, // nor after '+'
		{"café", true, "", "Un CAFÉ noir", true},
		{"café", true, "", "cafés", false},
		{"über", true, "", "Gemütlichkeitüber alles", false}, // ü... is a letter before
		{"spoiler", false, "Big SPOILER ahead", "nothing here", true},
		{"hidden", false, "", "", false},
		{"日本", true, "", "日本語", false}, // letters on both sides
		{"日本", false, "", "日本語", true},
	}
	for _, c := range cases {
		f := &store.Filter{ID: 1, Title: "f", Context: []string{FilterHome}, Action: FilterWarn,
			Keywords: []*store.FilterKeyword{{ID: 2, FilterID: 1, Keyword: c.keyword, WholeWord: c.wholeWord}}}
		m := newFilterMatcher([]*store.Filter{f}, FilterHome, time.Now())
		got := m.match(10, &store.Status{ID: 10, SpoilerText: c.spoiler, Text: c.text})
		if (len(got) == 1) != c.want {
			t.Errorf("keyword %q (whole word %v) in %q / %q: matched %v, want %v", c.keyword, c.wholeWord, c.spoiler, c.text, got, c.want)
		}
		if c.want && len(got) == 1 && !slices.Equal(got[0].KeywordMatches, []string{c.keyword}) {
			t.Errorf("keyword %q: keyword_matches = %v", c.keyword, got[0].KeywordMatches)
		}
	}
}

// TestFilterMatcherSelection: only unexpired filters of the read path's
// context apply; statuses match by their ID or their original's.
func TestFilterMatcherSelection(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	fs := []*store.Filter{
		{ID: 1, Context: []string{FilterHome}, Keywords: []*store.FilterKeyword{{Keyword: "cats"}}},
		{ID: 2, Context: []string{FilterPublic}, Keywords: []*store.FilterKeyword{{Keyword: "cats"}}},
		{ID: 3, Context: []string{FilterHome}, ExpiresAt: &past, Keywords: []*store.FilterKeyword{{Keyword: "cats"}}},
		{ID: 4, Context: []string{FilterHome}, ExpiresAt: &future, Statuses: []*store.FilterStatus{{StatusID: 77}}},
	}
	ids := func(ms []FilterMatch) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.Filter.ID)
		}
		return out
	}
	home := newFilterMatcher(fs, FilterHome, now)
	if got := ids(home.match(5, &store.Status{ID: 5, Text: "cats"})); !slices.Equal(got, []int64{1}) {
		t.Errorf("home matches = %v, want [1]", got)
	}
	// A reblog (ID 9) of status 77 matches filter 4 by the original's ID.
	got := home.match(9, &store.Status{ID: 77, Text: "dogs"})
	if !slices.Equal(ids(got), []int64{4}) || !slices.Equal(got[0].StatusMatches, []int64{77}) {
		t.Errorf("reblog of a filtered status: %+v", got)
	}
	if all := newFilterMatcher(fs, "", now); !slices.Equal(ids(all.match(5, &store.Status{ID: 5, Text: "cats"})), []int64{1, 2}) {
		t.Error("with no context every unexpired filter applies")
	}
	if m := newFilterMatcher(fs, FilterThread, now); m != nil {
		t.Errorf("no filter of the thread context, matcher = %+v, want nil", m)
	}
}

// BenchmarkFilterMatch measures the per-page cost of keyword filters: a
// page of 40 statuses of ~300 characters against an account's keywords,
// up to the per-account cap (MaxFilterKeywords), none of which match (the
// common case, and the worst: every keyword scans every text).
func BenchmarkFilterMatch(b *testing.B) {
	text := strings.Repeat("the quick brown fox jumps over the lazy dog ", 7)
	page := make([]*store.Status, 40)
	for i := range page {
		page[i] = &store.Status{ID: int64(i + 1), Text: text, SpoilerText: "cw"}
	}
	for _, n := range []int{0, 10, 100, MaxFilterKeywords} {
		b.Run(fmt.Sprintf("keywords=%d", n), func(b *testing.B) {
			var fs []*store.Filter
			for i := range n {
				if i%5 == 0 {
					fs = append(fs, &store.Filter{ID: int64(i + 1), Context: []string{FilterHome}})
				}
				f := fs[len(fs)-1]
				f.Keywords = append(f.Keywords, &store.FilterKeyword{Keyword: fmt.Sprintf("word%d", i), WholeWord: i%2 == 0})
			}
			b.ReportAllocs()
			for b.Loop() {
				m := newFilterMatcher(fs, FilterHome, time.Now())
				if m == nil {
					continue
				}
				for _, st := range page {
					if len(m.match(st.ID, st)) != 0 {
						b.Fatal("matched")
					}
				}
			}
		})
	}
}

// noIDNode is a lease that never holds a node, as a process that lost its
// database lease.
type noIDNode struct{}

func (noIDNode) Node() (int, error) { return 0, errors.New("no node held") }

// A bad filter is refused as invalid (422) before an ID is asked for, so a
// process holding no ID node still tells the client what is wrong with it.
func TestCreateFilterValidatesBeforeTakingAnID(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	alice := mustAccount(t, s, "alice")
	s.ids = snowflake.New(noIDNode{})
	title, action := "t", "explode"
	for name, in := range map[string]FilterInput{
		"no title":      {Context: []string{"home"}},
		"no context":    {Title: &title},
		"bad action":    {Title: &title, Context: []string{"home"}, Action: &action},
		"blank keyword": {Title: &title, Context: []string{"home"}, Keywords: []KeywordInput{{Keyword: "  "}}},
	} {
		_, err := s.CreateFilter(t.Context(), alice, in)
		if kind := KindOf(err); kind != KindInvalid {
			t.Errorf("%s: %v (kind %v), want invalid", name, err, kind)
		}
	}
}
