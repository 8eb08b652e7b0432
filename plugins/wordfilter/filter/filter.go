package filter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/starling-social/starling/go/pluginsdk"
)

const (
	// Name and Version are what the plugin reports to the host.
	Name    = "wordfilter"
	Version = "1.1.0"

	actionReject = "reject"
	actionMask   = "mask"
	actionFlag   = "flag"

	defaultRejectReason = "the status contains a blocked word"
	defaultMaskReason   = "blocked words were masked"
	defaultFlagReason   = "contains a listed word"
	accountRejectReason = "the profile contains a blocked word"
)

// config is the plugin's manifest configuration.
type config struct {
	Words  []string `json:"words"`
	Action string   `json:"action"`
	Reason string   `json:"reason"`
}

// settings is a validated configuration, swapped whole by Configure so a
// concurrent call sees either the old or the new one.
type settings struct {
	matcher *matcher
	action  string
	reason  string
}

// Filter is the word filter. The zero value is unconfigured: every call
// fails until Configure succeeds.
type Filter struct {
	current atomic.Pointer[settings]
}

var (
	_ pluginsdk.Policy         = (*Filter)(nil)
	_ pluginsdk.StatusChecker  = (*Filter)(nil)
	_ pluginsdk.AccountChecker = (*Filter)(nil)
)

// New returns an unconfigured Filter.
func New() *Filter { return &Filter{} }

// Info names the plugin and its hooks.
func (*Filter) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{
		Name:    Name,
		Version: Version,
		Hooks:   []string{pluginsdk.HookCheckStatus, pluginsdk.HookCheckAccount},
	}, nil
}

// Configure validates and installs the word list.
func (f *Filter) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	s, err := parseConfig(req.Config)
	if err != nil {
		return &pluginsdk.ConfigureResponse{Error: err.Error()}, nil
	}
	f.current.Store(s)
	return &pluginsdk.ConfigureResponse{}, nil
}

func (f *Filter) settings() (*settings, error) {
	s := f.current.Load()
	if s == nil {
		// The host always configures first; failing (rather than allowing)
		// lets the host's fail mode decide if that ever breaks.
		return nil, errors.New("wordfilter: not configured")
	}
	return s, nil
}

// CheckStatus rejects, masks or flags a status with a blocked word in its
// text or content warning.
func (f *Filter) CheckStatus(_ context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	s, err := f.settings()
	if err != nil {
		return nil, err
	}
	switch s.action {
	case actionReject, actionFlag:
		if s.matcher.contains(req.Text) || s.matcher.contains(req.SpoilerText) {
			v := pluginsdk.VerdictReject
			if s.action == actionFlag {
				v = pluginsdk.VerdictFlag
			}
			return &pluginsdk.CheckStatusResponse{Verdict: v, Reason: s.reason}, nil
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

// CheckAccount applies the list to the username, display name and bio. A
// profile cannot be rewritten, so "mask" flags it for moderators instead.
func (f *Filter) CheckAccount(_ context.Context, req *pluginsdk.CheckAccountRequest) (*pluginsdk.CheckAccountResponse, error) {
	s, err := f.settings()
	if err != nil {
		return nil, err
	}
	if !s.matcher.contains(req.Username) && !s.matcher.contains(req.DisplayName) && !s.matcher.contains(req.Note) {
		return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictAllow}, nil
	}
	if s.action == actionReject {
		return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictReject, Reason: accountRejectReason}, nil
	}
	return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictFlag, Reason: defaultFlagReason}, nil
}

// parseConfig validates raw. Unknown fields are errors, so a typo such as
// "word" fails loudly at start instead of filtering nothing.
func parseConfig(raw json.RawMessage) (*settings, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errors.New(`config is required: {"words": [...], "action": "reject"|"mask"|"flag"}`)
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
	def := map[string]string{actionReject: defaultRejectReason, actionMask: defaultMaskReason, actionFlag: defaultFlagReason}[c.Action]
	if def == "" {
		return nil, fmt.Errorf("action: must be %q, %q or %q, got %q", actionReject, actionMask, actionFlag, c.Action)
	}
	if s.reason == "" {
		s.reason = def
	}
	return s, nil
}
