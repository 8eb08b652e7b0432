package filter

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/pluginsdk/textnorm"
)

func TestMatcherContains(t *testing.T) {
	m, err := newMatcher([]string{"ass", "spamword", "Straße", "kelvin", "café"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", false},
		{"exact", "ass", true},
		{"inside a longer word", "a class act", false},
		{"prefix of a longer word", "assert this", false},
		{"upper case", "SPAMWORD", true},
		{"mixed case with punctuation", "buy now: SpamWord!!!", true},
		{"between underscores", "x_spamword_y", true},
		{"glued to digits", "spamword2", false},
		{"non-ASCII letters bound the word", "éspamword", false},
		{"full case folding: ß is ss", "die STRASSE", true},
		{"non-ASCII word exact fold", "STRAẞE", true},
		{"Kelvin sign folds to k", "\u212Aelvin", true},
		{"precomposed accent", "un café", true},
		{"diacritic-insensitive", "un cafe", true},
		{"decomposed accent", "un cafe\u0301", true},
		{"accent added to evade", "spámwörd", true},
		{"combining mark after the word", "ass\u0301", true},
		{"in other script context", "спам spamword спам", true},
		{"newline separated", "hello\nspamword\n", true},
		{"zero-width space inside", "spam\u200bword", true},
		{"zero-width joiner and soft hyphen", "sp\u200dam\u00adword", true},
		{"full-width letters", "ＳＰＡＭＷＯＲＤ", true},
		{"mathematical letters", "𝐬𝐩𝐚𝐦𝐰𝐨𝐫𝐝", true},
		{"Cyrillic look-alikes", "ѕраmwоrd", true},
		{"Greek look-alikes", "spamwοrd", true},
		{"look-alike inside a longer word", "ѕраmwоrdy", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.contains(tt.text); got != tt.want {
				t.Errorf("contains(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatcherMask(t *testing.T) {
	m, err := newMatcher([]string{"spamword", "scamlink", "ñu"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		text  string
		want  string
		count int
	}{
		{"no match", "hello world", "hello world", 0},
		{"one", "a spamword here", "a ******** here", 1},
		{"two, case kept elsewhere", "SPAMWORD and ScamLink.", "******** and ********.", 2},
		{"rune length not byte length", "un ñu grande", "un ** grande", 1},
		{"upper-case non-ASCII", "ÑU", "**", 1},
		{"substring untouched", "spamwords", "spamwords", 0},
		{"whole string", "spamword", "********", 1},
		{"hidden characters masked too", "a spam\u200bword!", "a *********!", 1},
		{"full-width as written", "ＳＰＡＭＷＯＲＤ x", "******** x", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := m.mask(tt.text)
			if got != tt.want || n != tt.count {
				t.Errorf("mask(%q) = %q, %d; want %q, %d", tt.text, got, n, tt.want, tt.count)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		wantErr string // substring; empty means valid
	}{
		{"reject", `{"words": ["a"], "action": "reject"}`, ""},
		{"mask with reason", `{"words": ["a"], "action": "mask", "reason": "tidied"}`, ""},
		{"missing", ``, "config is required"},
		{"not JSON", `{`, "config:"},
		{"unknown field", `{"word": ["a"], "action": "reject"}`, `unknown field "word"`},
		{"no words", `{"words": [], "action": "reject"}`, "at least one word"},
		{"empty word", `{"words": ["a", ""], "action": "reject"}`, "words[1]: empty"},
		{"phrase", `{"words": ["buy now"], "action": "reject"}`, ""},
		{"flag", `{"words": ["a"], "action": "flag"}`, ""},
		{"punctuation at the end", `{"words": ["now!"], "action": "reject"}`, "must start and end with a letter or digit"},
		{"only invisible", `{"words": ["\u200b"], "action": "reject"}`, "empty once normalized"},
		{"bad action", `{"words": ["a"], "action": "delete"}`, `action: must be "reject", "mask" or "flag"`},
		{"no action", `{"words": ["a"]}`, "action: must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(json.RawMessage(tt.config))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckStatus(t *testing.T) {
	ctx := context.Background()
	configure := func(t *testing.T, config string) *Filter {
		t.Helper()
		f := New()
		resp, err := f.Configure(ctx, &pluginsdk.ConfigureRequest{Config: json.RawMessage(config)})
		if err != nil || resp.Error != "" {
			t.Fatalf("Configure: %v %q", err, resp.Error)
		}
		return f
	}

	t.Run("reject does not echo the word", func(t *testing.T) {
		f := configure(t, `{"words": ["spamword"], "action": "reject"}`)
		resp, err := f.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{Text: "hi", SpoilerText: "Spamword"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Verdict != pluginsdk.VerdictReject || resp.Reason != defaultRejectReason {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("configured reason", func(t *testing.T) {
		f := configure(t, `{"words": ["spamword"], "action": "reject", "reason": "no spam"}`)
		resp, _ := f.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{Text: "spamword"})
		if resp.Reason != "no spam" {
			t.Fatalf("reason %q", resp.Reason)
		}
	})
	t.Run("mask rewrites text and spoiler", func(t *testing.T) {
		f := configure(t, `{"words": ["spamword"], "action": "mask"}`)
		resp, err := f.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{Text: "a spamword", SpoilerText: "CW spamword"})
		if err != nil {
			t.Fatal(err)
		}
		want := pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictRewrite, Reason: defaultMaskReason, Text: "a ********", SpoilerText: "CW ********"}
		if !reflect.DeepEqual(*resp, want) {
			t.Fatalf("got %+v, want %+v", resp, want)
		}
	})
	t.Run("clean status allowed", func(t *testing.T) {
		f := configure(t, `{"words": ["spamword"], "action": "mask"}`)
		resp, _ := f.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{Text: "all good"})
		if resp.Verdict != pluginsdk.VerdictAllow {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("unconfigured fails", func(t *testing.T) {
		if _, err := (New()).CheckStatus(ctx, &pluginsdk.CheckStatusRequest{}); err == nil {
			t.Fatal("want an error before Configure")
		}
	})
}

func TestPhrases(t *testing.T) {
	m, err := newMatcher([]string{"buy followers", "free"})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"BUY   Followers today":    true,
		"buy\nfollowers":           true,
		"buyfollowers":             false,
		"buy followersx":           false,
		"get it for ＦＲＥＥ":          true,
		"freedom":                  false,
		"buy followers, free ones": true,
	} {
		if got := m.contains(text); got != want {
			t.Errorf("contains(%q) = %v, want %v", text, got, want)
		}
	}
	got, n := m.mask("Buy  followers for free")
	if got != "************** for ****" || n != 2 {
		t.Errorf("mask = %q, %d", got, n)
	}
}

// TestMatcherAgainstNaive compares the automaton with a plain search over
// the normalized text on generated inputs: it must find a whole-word match
// exactly when the naive scan does.
func TestMatcherAgainstNaive(t *testing.T) {
	words := []string{"ab", "abc", "bca", "c", "cab", "a b"}
	m, err := newMatcher(words)
	if err != nil {
		t.Fatal(err)
	}
	alphabet := []string{"a", "b", "c", " ", "x", "\u200b", "Á", "ç"}
	seed := uint32(1)
	next := func() int { seed = seed*1664525 + 1013904223; return int(seed >> 16) }
	for range 5000 {
		var b strings.Builder
		for range next() % 12 {
			b.WriteString(alphabet[next()%len(alphabet)])
		}
		text := b.String()
		if got, want := m.contains(text), naiveContains(words, text); got != want {
			t.Fatalf("contains(%q) = %v, naive says %v", text, got, want)
		}
	}
}

func naiveContains(words []string, text string) bool {
	norm := textnorm.String(text)
	for _, w := range words {
		w = textnorm.String(w)
		for i := 0; i+len(w) <= len(norm); i++ {
			if norm[i:i+len(w)] == w && wordBoundary(norm, i, i+len(w)) {
				return true
			}
		}
	}
	return false
}

func TestCheckAccount(t *testing.T) {
	ctx := context.Background()
	for action, want := range map[string]pluginsdk.Verdict{"reject": pluginsdk.VerdictReject, "mask": pluginsdk.VerdictFlag, "flag": pluginsdk.VerdictFlag} {
		f := New()
		if resp, _ := f.Configure(ctx, &pluginsdk.ConfigureRequest{Config: json.RawMessage(`{"words": ["spamword"], "action": "` + action + `"}`)}); resp.Error != "" {
			t.Fatal(resp.Error)
		}
		got, err := f.CheckAccount(ctx, &pluginsdk.CheckAccountRequest{Username: "bob", DisplayName: "Bob", Note: "I sell ＳＰＡＭＷＯＲＤ"})
		if err != nil || got.Verdict != want {
			t.Errorf("%s: got %+v, %v; want %s", action, got, err, want)
		}
		got, _ = f.CheckAccount(ctx, &pluginsdk.CheckAccountRequest{Username: "bob", Note: "hello"})
		if got.Verdict != pluginsdk.VerdictAllow {
			t.Errorf("%s: clean profile got %s", action, got.Verdict)
		}
	}
}
