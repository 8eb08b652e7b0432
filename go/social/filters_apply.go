package social

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// filterMatcher matches statuses against a set of filters.
type filterMatcher struct {
	filters []compiledFilter
}

type compiledFilter struct {
	f        *store.Filter
	keywords []compiledKeyword
	statuses map[int64]bool
}

// compiledKeyword is a keyword folded to lower case, and whether a match
// must start and end at a word boundary: with whole_word, only at the ends
// of the keyword that are word characters, as Mastodon's regexp does (so
// "#tag" matches in "a #tag!" and "c++" in "c++ rocks").
type compiledKeyword struct {
	raw, lower           string
	boundStart, boundEnd bool
}

func newFilterMatcher(fs []*store.Filter, fctx string, now time.Time) *filterMatcher {
	m := &filterMatcher{}
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
			cf.keywords = append(cf.keywords, compiledKeyword{raw: k.Keyword, lower: strings.ToLower(k.Keyword),
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
	return m
}

// match returns the filters matching proper (a status, or the original of
// the reblog id): by keyword in its content warning and text, or by ID.
func (m *filterMatcher) match(id int64, proper *store.Status) []FilterMatch {
	var text string
	var out []FilterMatch
	for _, cf := range m.filters {
		fm := FilterMatch{Filter: cf.f}
		if len(cf.keywords) > 0 && text == "" {
			text = strings.ToLower(proper.SpoilerText + "\n\n" + proper.Text)
		}
		for _, k := range cf.keywords {
			if k.foundIn(text) {
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

// foundIn reports whether k occurs in text (both lower case) with the
// boundaries it needs.
func (k compiledKeyword) foundIn(text string) bool {
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], k.lower)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(k.lower)
		if k.atBoundaries(text, start, end) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		from = start + max(size, 1)
	}
	return false
}

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
