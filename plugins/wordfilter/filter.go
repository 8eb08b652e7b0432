package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/starling-social/starling/go/pluginsdk"
)

const (
	pluginName    = "wordfilter"
	pluginVersion = "1.0.0"

	actionReject = "reject"
	actionMask   = "mask"

	defaultRejectReason = "the status contains a blocked word"
	defaultMaskReason   = "blocked words were masked"
)

// config is the plugin's manifest configuration.
type config struct {
	Words  []string `json:"words"`
	Action string   `json:"action"`
	Reason string   `json:"reason"`
}

// settings is a validated configuration, swapped whole by Configure so a
// concurrent CheckStatus sees either the old or the new one.
type settings struct {
	matcher *matcher
	action  string
	reason  string
}

// wordFilter implements pluginsdk.Policy.
type wordFilter struct {
	current atomic.Pointer[settings]
}

var _ pluginsdk.Policy = (*wordFilter)(nil)

func (*wordFilter) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{
		Name:    pluginName,
		Version: pluginVersion,
		Hooks:   []string{pluginsdk.HookCheckStatus},
	}, nil
}

func (f *wordFilter) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	s, err := parseConfig(req.Config)
	if err != nil {
		return &pluginsdk.ConfigureResponse{Error: err.Error()}, nil
	}
	f.current.Store(s)
	return &pluginsdk.ConfigureResponse{}, nil
}

func (f *wordFilter) CheckStatus(_ context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	s := f.current.Load()
	if s == nil {
		// The host always configures first; failing (rather than allowing)
		// lets the host's fail mode decide if that ever breaks.
		return nil, errors.New("wordfilter: not configured")
	}
	switch s.action {
	case actionReject:
		if s.matcher.contains(req.Text) || s.matcher.contains(req.SpoilerText) {
			return &pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictReject, Reason: s.reason}, nil
		}
	case actionMask:
		text, n1 := s.matcher.mask(req.Text)
		spoiler, n2 := s.matcher.mask(req.SpoilerText)
		if n1+n2 > 0 {
			return &pluginsdk.CheckStatusResponse{
				Verdict:     pluginsdk.VerdictRewrite,
				Reason:      s.reason,
				Text:        text,
				SpoilerText: spoiler,
			}, nil
		}
	}
	return &pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictAllow}, nil
}

// parseConfig validates raw. Unknown fields are errors, so a typo such as
// "word" fails loudly at start instead of filtering nothing.
func parseConfig(raw json.RawMessage) (*settings, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errors.New(`config is required: {"words": [...], "action": "reject"|"mask"}`)
	}
	var c config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	m, err := newMatcher(c.Words)
	if err != nil {
		return nil, err
	}
	s := &settings{matcher: m, action: c.Action, reason: c.Reason}
	switch c.Action {
	case actionReject:
		if s.reason == "" {
			s.reason = defaultRejectReason
		}
	case actionMask:
		if s.reason == "" {
			s.reason = defaultMaskReason
		}
	default:
		return nil, fmt.Errorf("action: must be %q or %q, got %q", actionReject, actionMask, c.Action)
	}
	return s, nil
}

// matcher finds blocked words. It is immutable, so safe for concurrent use.
type matcher struct {
	words map[string]struct{} // folded
}

func newMatcher(words []string) (*matcher, error) {
	if len(words) == 0 {
		return nil, errors.New("words: must list at least one word")
	}
	m := &matcher{words: make(map[string]struct{}, len(words))}
	for i, w := range words {
		if w == "" {
			return nil, fmt.Errorf("words[%d]: empty", i)
		}
		// A blocked entry must be one word: one with a space or punctuation
		// could never equal a single word of a status, and would silently
		// match nothing.
		if strings.IndexFunc(w, func(r rune) bool { return !isWordRune(r) }) >= 0 {
			return nil, fmt.Errorf("words[%d]: %q is not a single word (letters, marks and digits only)", i, w)
		}
		m.words[fold(w)] = struct{}{}
	}
	return m, nil
}

// contains reports whether s has a blocked word.
func (m *matcher) contains(s string) bool {
	found := false
	forEachWord(s, func(start, end int) bool {
		_, found = m.words[fold(s[start:end])]
		return !found
	})
	return found
}

// mask replaces each blocked word in s by asterisks, one per rune, and says
// how many it replaced.
func (m *matcher) mask(s string) (string, int) {
	var b strings.Builder
	last, n := 0, 0
	forEachWord(s, func(start, end int) bool {
		w := s[start:end]
		if _, ok := m.words[fold(w)]; ok {
			b.WriteString(s[last:start])
			b.WriteString(strings.Repeat("*", utf8.RuneCountInString(w)))
			last = end
			n++
		}
		return true
	})
	if n == 0 {
		return s, 0
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// forEachWord calls fn with the byte bounds of each word of s, in order,
// until fn returns false.
func forEachWord(s string, fn func(start, end int) bool) {
	start := -1
	for i, r := range s {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			if !fn(start, i) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(s))
	}
}

// isWordRune reports whether r belongs to a word. Marks count so that a
// decomposed "é" (e + U+0301) does not split its word in two.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// fold maps s to a key shared by every string strings.EqualFold considers
// equal: each rune becomes the smallest rune of its simple case-folding
// orbit (so "K", "k" and the Kelvin sign "K" share a key).
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		lo := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < lo {
				lo = f
			}
		}
		return lo
	}, s)
}
