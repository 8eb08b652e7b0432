package guard

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
)

func configured(t *testing.T, cfg string) *Guard {
	t.Helper()
	g := New()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	resp, err := g.Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(cfg)})
	if err != nil || resp.Error != "" {
		t.Fatalf("Configure(%s): %v %q", cfg, err, resp.Error)
	}
	return g
}

var (
	oldAccount = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	newAccount = time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC) // an hour before "now"
)

func TestLimits(t *testing.T) {
	g := configured(t, `{"duplicate_window": "0s"}`)
	tests := []struct {
		name    string
		text    string
		created time.Time
		count   int64
		want    string // reason substring; empty: allowed
	}{
		{"clean", "hello world", oldAccount, 100, ""},
		{"four links ok", "https://a.example http://b.example www.c.example https://d.example", oldAccount, 100, ""},
		{"five links", "https://a.example http://b.example www.c.example https://d.example https://e.example", oldAccount, 100, "5 links, at most 4"},
		{"new account one link", "see https://a.example", newAccount, 100, ""},
		{"new account two links", "see https://a.example and https://b.example", newAccount, 100, "2 links, at most 1 for a new account"},
		{"few statuses is new", "https://a.example https://b.example", oldAccount, 3, "for a new account"},
		{"mentions", "@a @b @c @d @e@remote.example @f @g @h @i", oldAccount, 100, "9 mentions, at most 8"},
		{"email is not a mention", "mail me: a@b.example c@d.example d@e.example e@f.example", newAccount, 100, ""},
		{"hashtags", "#a #b #c #d #e", newAccount, 100, "5 hashtags, at most 4 for a new account"},
		{"url fragment is not a hashtag", "https://x.example/#a https://x.example/#b", oldAccount, 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := g.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{AccountID: 1, Text: tt.text, AccountCreatedAt: tt.created, AccountStatusesCount: tt.count})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && resp.Verdict != pluginsdk.VerdictAllow:
				t.Errorf("got %+v, want allow", resp)
			case tt.want != "" && (resp.Verdict != pluginsdk.VerdictFlag || !strings.Contains(resp.Reason, tt.want)):
				t.Errorf("got %+v, want a flag mentioning %q", resp, tt.want)
			}
		})
	}
}

func TestDuplicateWindow(t *testing.T) {
	g := configured(t, `{"action": "reject"}`)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	post := func(account int64, text string, statusID int64) pluginsdk.Verdict {
		resp, err := g.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{AccountID: account, Text: text, StatusID: statusID, AccountCreatedAt: oldAccount, AccountStatusesCount: 100})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Verdict
	}
	if v := post(1, "Buy now", 0); v != pluginsdk.VerdictAllow {
		t.Fatalf("first post: %s", v)
	}
	// The same words, disguised, are the same post.
	if v := post(1, "ＢＵＹ\u200b now", 0); v != pluginsdk.VerdictReject {
		t.Fatalf("duplicate: %s, want reject", v)
	}
	if v := post(2, "Buy now", 0); v != pluginsdk.VerdictAllow {
		t.Errorf("another account: %s", v)
	}
	if v := post(1, "Buy now", 77); v != pluginsdk.VerdictAllow {
		t.Errorf("an edit is not a duplicate: %s", v)
	}
	now = now.Add(11 * time.Minute)
	if v := post(1, "Buy now", 0); v != pluginsdk.VerdictAllow {
		t.Errorf("after the window: %s", v)
	}
}

func TestConfigErrors(t *testing.T) {
	for cfg, want := range map[string]string{
		`{"max_links": -1}`:            "max_links: must not be negative",
		`{"action": "delete"}`:         `action: must be "flag" or "reject"`,
		`{"duplicate_window": "soon"}`: "config:",
		`{"max_link": 3}`:              `unknown field "max_link"`,
		`{"duplicate_window": "-1m"}`:  "negative",
	} {
		resp, _ := New().Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(cfg)})
		if !strings.Contains(resp.Error, want) {
			t.Errorf("Configure(%s) error %q, want %q", cfg, resp.Error, want)
		}
	}
}

func TestBioLinks(t *testing.T) {
	g := configured(t, `{}`)
	resp, _ := g.CheckAccount(context.Background(), &pluginsdk.CheckAccountRequest{Note: "https://a https://b https://c https://d https://e"})
	if resp.Verdict != pluginsdk.VerdictFlag {
		t.Errorf("got %+v", resp)
	}
}
