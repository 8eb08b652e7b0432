package social

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"

	"github.com/starling-social/starling/go/store"
)

// FilterMatch is one filter matching a status: Mastodon's FilterResult.
type FilterMatch struct {
	Filter         *store.Filter
	KeywordMatches []string // the filter's keywords found in the status
	StatusMatches  []int64  // the filter's statuses that are this one (or its original)
}

// ApplyFilters applies viewer's active filters to views, read in context
// fctx (FilterHome, ...): a status matched by a hide filter of that context
// is left out, the others carry their matches in Filtered (the reblogged
// original too). With fctx "" (a status opened by ID, bookmarks, search)
// nothing is left out and every active filter's matches are shown, as
// Mastodon does: the client decides. The viewer's own statuses are never
// filtered. Anonymous viewers have no filters.
func (s *Service) ApplyFilters(ctx context.Context, viewer *store.Account, views []*StatusView, fctx string) ([]*StatusView, error) {
	if viewer == nil || len(views) == 0 {
		return views, nil
	}
	m, err := s.filterMatcher(ctx, viewer, fctx)
	if err != nil || m == nil {
		return views, err
	}
	out := views[:0:0]
	for _, v := range views {
		proper := v
		if v.Reblog != nil {
			proper = v.Reblog
		}
		if proper.Status.AccountID == viewer.ID {
			out = append(out, v)
			continue
		}
		matches := m.match(v.Status.ID, proper.Status)
		if fctx != "" && slices.ContainsFunc(matches, func(fm FilterMatch) bool { return fm.Filter.Action == FilterHide }) {
			continue
		}
		v.Filtered = matches
		if v.Reblog != nil {
			v.Reblog.Filtered = matches
		}
		out = append(out, v)
	}
	return out, nil
}

// filterMatcher loads viewer's filters active now in fctx ("" for all);
// nil when there are none.
func (s *Service) filterMatcher(ctx context.Context, viewer *store.Account, fctx string) (*filterMatcher, error) {
	fs, err := s.store.ListFilters(ctx, viewer.ID)
	if err != nil {
		return nil, internal("social.ApplyFilters", err)
	}
	return newFilterMatcher(fs, fctx, s.nowUTC()), nil
}

// filterMatcher matches statuses against a set of filters. Keywords are
// found with one Aho–Corasick automaton over all of them, one pass per
// status whatever their number (the per-account cap is 500).
type filterMatcher struct {
	filters []compiledFilter
	ac      *ahocorasick.Automaton // nil when no filter has keywords
	refs    [][]keywordRef         // by automaton pattern ID
}

type compiledFilter struct {
	f        *store.Filter
	keywords []compiledKeyword
	statuses map[int64]bool
}

// keywordRef names filters[filter].keywords[keyword].
type keywordRef struct{ filter, keyword int }

// compiledKeyword is a keyword, and whether a match must start and end at
// a word boundary: with whole_word, only at the ends of the keyword that
// are word characters, as Mastodon's regexp does (so "#tag" matches in
// "a #tag!" and "c++" in "c++ rocks").
type compiledKeyword struct {
	raw                  string
	boundStart, boundEnd bool
}

func newFilterMatcher(fs []*store.Filter, fctx string, now time.Time) *filterMatcher {
	m := &filterMatcher{}
	var patterns []string
	ids := map[string]int{}
	for _, f := range fs {
		if f.ExpiresAt != nil && !f.ExpiresAt.After(now) {
			continue
		}
		if fctx != "" && !slices.Contains(f.Context, fctx) {
			continue
		}
		cf := compiledFilter{f: f, statuses: make(map[int64]bool, len(f.Statuses))}
		for _, k := range f.Keywords {
			first, _ := utf8.DecodeRuneInString(k.Keyword)
			last, _ := utf8.DecodeLastRuneInString(k.Keyword)
			lower := strings.ToLower(k.Keyword)
			id, ok := ids[lower]
			if !ok {
				id = len(patterns)
				ids[lower] = id
				patterns = append(patterns, lower)
				m.refs = append(m.refs, nil)
			}
			m.refs[id] = append(m.refs[id], keywordRef{filter: len(m.filters), keyword: len(cf.keywords)})
			cf.keywords = append(cf.keywords, compiledKeyword{raw: k.Keyword,
				boundStart: k.WholeWord && isWordRune(first), boundEnd: k.WholeWord && isWordRune(last)})
		}
		for _, st := range f.Statuses {
			cf.statuses[st.StatusID] = true
		}
		m.filters = append(m.filters, cf)
	}
	if len(m.filters) == 0 {
		return nil
	}
	if len(patterns) > 0 {
		ac, err := ahocorasick.NewBuilder().AddStrings(patterns).Build()
		if err != nil {
			// Stored keywords are non-empty text; a build that still fails
			// would match nothing, so keyword filters fail open and the
			// status filters still apply.
			return m
		}
		m.ac = ac
	}
	return m
}

// match returns the filters matching proper (a status, or the original of
// the reblog id): by keyword in its content warning and text, or by ID.
func (m *filterMatcher) match(id int64, proper *store.Status) []FilterMatch {
	found := map[keywordRef]bool{}
	if m.ac != nil {
		text := strings.ToLower(proper.SpoilerText + "\n\n" + proper.Text)
		for _, mt := range m.ac.FindAllOverlapping([]byte(text)) {
			for _, ref := range m.refs[mt.PatternID] {
				if !found[ref] && m.filters[ref.filter].keywords[ref.keyword].atBoundaries(text, mt.Start, mt.End) {
					found[ref] = true
				}
			}
		}
	}
	var out []FilterMatch
	for i, cf := range m.filters {
		fm := FilterMatch{Filter: cf.f}
		for j, k := range cf.keywords {
			if found[keywordRef{filter: i, keyword: j}] {
				fm.KeywordMatches = append(fm.KeywordMatches, k.raw)
			}
		}
		for _, sid := range []int64{id, proper.ID} {
			if cf.statuses[sid] && !slices.Contains(fm.StatusMatches, sid) {
				fm.StatusMatches = append(fm.StatusMatches, sid)
			}
		}
		if len(fm.KeywordMatches) > 0 || len(fm.StatusMatches) > 0 {
			out = append(out, fm)
		}
	}
	return out
}

// atBoundaries reports whether a match of k at text[start:end] has the
// word boundaries k needs.
func (k compiledKeyword) atBoundaries(text string, start, end int) bool {
	if k.boundStart && start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:start]); isWordRune(r) {
			return false
		}
	}
	if k.boundEnd && end < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[end:]); isWordRune(r) {
			return false
		}
	}
	return true
}

// isWordRune is Ruby's [[:word:]]: letters, marks, digits and connector
// punctuation (the underscore).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Pc, r)
}

// streamFilters are a streaming listener's filters with their matchers,
// built once per context and kept with the StreamViewer (reloaded when
// the filters change, and at least every minute, which also retires
// expired filters).
type streamFilters struct {
	all []*store.Filter

	mu       sync.Mutex
	matchers map[string]*filterMatcher
}

func (sf *streamFilters) matcher(fctx string) *filterMatcher {
	if len(sf.all) == 0 {
		return nil
	}
	sf.mu.Lock()
	defer sf.mu.Unlock()
	m, ok := sf.matchers[fctx]
	if !ok {
		if sf.matchers == nil {
			sf.matchers = map[string]*filterMatcher{}
		}
		m = newFilterMatcher(sf.all, fctx, time.Now())
		sf.matchers[fctx] = m
	}
	return m
}

// FiltersFor applies v's filters of context fctx to the event's status, as
// ApplyFilters does on the other read paths: hide when a hide filter
// matches, else the matches the status carries in filtered. The viewer's
// own statuses are never filtered; anonymous listeners have no filters.
func (ss *StreamStatus) FiltersFor(v *StreamViewer, fctx string) (hide bool, matches []FilterMatch) {
	if v == nil {
		return false, nil
	}
	m := v.filters.matcher(fctx)
	if m == nil {
		return false, nil
	}
	proper := ss.status
	if o, ok := ss.originals[ss.status.ReblogOfID]; ok {
		proper = o
	}
	if proper.AccountID == v.id {
		return false, nil
	}
	matches = m.match(ss.status.ID, proper)
	return slices.ContainsFunc(matches, func(fm FilterMatch) bool { return fm.Filter.Action == FilterHide }), matches
}
