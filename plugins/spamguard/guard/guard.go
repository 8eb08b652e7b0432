package guard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/pluginsdk/textnorm"
)

const (
	// Name and Version are what the plugin reports to the host.
	Name    = "spamguard"
	Version = "1.0.0"

	maxTracked = 100_000 // accounts in the duplicate window
	maxRecent  = 16      // statuses remembered per account
)

// duration is a time.Duration written as "10m" in JSON.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf(`duration must be a string such as "10m": %w`, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("duration %s is negative", s)
	}
	*d = duration(v)
	return nil
}

// config is the manifest configuration; see the package doc.
type config struct {
	MaxLinks           int      `json:"max_links"`
	MaxMentions        int      `json:"max_mentions"`
	MaxHashtags        int      `json:"max_hashtags"`
	NewAccountAge      duration `json:"new_account_age"`
	NewAccountStatuses int64    `json:"new_account_statuses"`
	NewMaxLinks        int      `json:"new_max_links"`
	NewMaxMentions     int      `json:"new_max_mentions"`
	NewMaxHashtags     int      `json:"new_max_hashtags"`
	DuplicateWindow    duration `json:"duplicate_window"`
	DuplicateMax       int      `json:"duplicate_max"`
	Action             string   `json:"action"`
}

func defaults() config {
	return config{
		MaxLinks: 4, MaxMentions: 8, MaxHashtags: 10,
		NewAccountAge: duration(72 * time.Hour), NewAccountStatuses: 10,
		NewMaxLinks: 1, NewMaxMentions: 3, NewMaxHashtags: 4,
		DuplicateWindow: duration(10 * time.Minute), DuplicateMax: 1,
		Action: "flag",
	}
}

// Guard is the spam guard. Call Configure before any hook.
type Guard struct {
	cfg atomic.Pointer[config]
	now func() time.Time

	mu     sync.Mutex
	recent map[int64][]posted // by account
}

type posted struct {
	key [sha256.Size]byte
	at  time.Time
}

var (
	_ pluginsdk.StatusChecker  = (*Guard)(nil)
	_ pluginsdk.AccountChecker = (*Guard)(nil)
)

// New returns an unconfigured Guard.
func New() *Guard { return &Guard{now: time.Now, recent: map[int64][]posted{}} }

// Info names the plugin and its hooks.
func (*Guard) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{Name: Name, Version: Version, Hooks: []string{pluginsdk.HookCheckStatus, pluginsdk.HookCheckAccount}}, nil
}

// Configure validates and installs the limits.
func (g *Guard) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	c := defaults()
	if len(bytes.TrimSpace(req.Config)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return &pluginsdk.ConfigureResponse{Error: "config: " + err.Error()}, nil
		}
	}
	for name, v := range map[string]int{"max_links": c.MaxLinks, "max_mentions": c.MaxMentions, "max_hashtags": c.MaxHashtags,
		"new_max_links": c.NewMaxLinks, "new_max_mentions": c.NewMaxMentions, "new_max_hashtags": c.NewMaxHashtags, "duplicate_max": c.DuplicateMax} {
		if v < 0 {
			return &pluginsdk.ConfigureResponse{Error: fmt.Sprintf("%s: must not be negative", name)}, nil
		}
	}
	if c.Action != "flag" && c.Action != "reject" {
		return &pluginsdk.ConfigureResponse{Error: fmt.Sprintf(`action: must be "flag" or "reject", got %q`, c.Action)}, nil
	}
	g.cfg.Store(&c)
	return &pluginsdk.ConfigureResponse{}, nil
}

var (
	linkRE    = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)
	mentionRE = regexp.MustCompile(`(?:^|[^\w@/])@\w+(?:@[\w.-]+\w)?`)
	hashtagRE = regexp.MustCompile(`(?:^|[^\w&/#])#\w+`)
)

// CheckStatus applies the limits and the duplicate window.
func (g *Guard) CheckStatus(ctx context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	c := g.cfg.Load()
	if c == nil {
		return nil, errors.New("spamguard: not configured")
	}
	now := g.now()
	isNew := (!req.AccountCreatedAt.IsZero() && now.Sub(req.AccountCreatedAt) < time.Duration(c.NewAccountAge)) ||
		req.AccountStatusesCount < c.NewAccountStatuses
	maxLinks, maxMentions, maxTags := c.MaxLinks, c.MaxMentions, c.MaxHashtags
	who := ""
	if isNew {
		maxLinks, maxMentions, maxTags = min(maxLinks, c.NewMaxLinks), min(maxMentions, c.NewMaxMentions), min(maxTags, c.NewMaxHashtags)
		who = " for a new account"
	}
	text := req.SpoilerText + "\n" + req.Text
	reason := ""
	switch links, mentions, tags := len(linkRE.FindAllStringIndex(text, -1)), len(mentionRE.FindAllStringIndex(text, -1)), len(hashtagRE.FindAllStringIndex(text, -1)); {
	case links > maxLinks:
		reason = fmt.Sprintf("%d links, at most %d%s", links, maxLinks, who)
	case mentions > maxMentions:
		reason = fmt.Sprintf("%d mentions, at most %d%s", mentions, maxMentions, who)
	case tags > maxTags:
		reason = fmt.Sprintf("%d hashtags, at most %d%s", tags, maxTags, who)
	}
	// Edits are the same status again, and canary calls are not posts.
	if req.StatusID == 0 && !pluginsdk.IsCanary(ctx) && c.DuplicateWindow > 0 {
		if n := g.remember(req.AccountID, text, now, time.Duration(c.DuplicateWindow)); n > c.DuplicateMax && reason == "" {
			reason = fmt.Sprintf("the same text posted %d times within %s", n, time.Duration(c.DuplicateWindow))
		}
	}
	if reason == "" {
		return &pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictAllow}, nil
	}
	v := pluginsdk.VerdictFlag
	if c.Action == "reject" {
		v = pluginsdk.VerdictReject
	}
	return &pluginsdk.CheckStatusResponse{Verdict: v, Reason: "looks like spam: " + reason}, nil
}

// remember records text for account and returns how many statuses with the
// same normalized text the account posted within window, this one included.
func (g *Guard) remember(account int64, text string, now time.Time, window time.Duration) int {
	key := sha256.Sum256([]byte(textnorm.String(text)))
	g.mu.Lock()
	defer g.mu.Unlock()
	list := g.recent[account]
	kept := list[:0]
	n := 1
	for _, p := range list {
		if now.Sub(p.at) >= window {
			continue
		}
		kept = append(kept, p)
		if p.key == key {
			n++
		}
	}
	if len(kept) == 0 && len(g.recent) >= maxTracked {
		g.sweep(now, window)
		if len(g.recent) >= maxTracked {
			return n // full of active accounts: bounded memory wins over the check
		}
	}
	if len(kept) == maxRecent {
		kept = append(kept[:0], kept[1:]...)
	}
	g.recent[account] = append(kept, posted{key: key, at: now})
	return n
}

// sweep drops accounts with nothing inside the window. Callers hold mu.
func (g *Guard) sweep(now time.Time, window time.Duration) {
	for a, list := range g.recent {
		if len(list) == 0 || now.Sub(list[len(list)-1].at) >= window {
			delete(g.recent, a)
		}
	}
}

// CheckAccount flags a bio with more links than a status may have.
func (g *Guard) CheckAccount(_ context.Context, req *pluginsdk.CheckAccountRequest) (*pluginsdk.CheckAccountResponse, error) {
	c := g.cfg.Load()
	if c == nil {
		return nil, errors.New("spamguard: not configured")
	}
	if n := len(linkRE.FindAllStringIndex(req.Note, -1)); n > c.MaxLinks {
		return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictFlag, Reason: fmt.Sprintf("looks like spam: %d links in the bio, at most %d", n, c.MaxLinks)}, nil
	}
	return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictAllow}, nil
}
