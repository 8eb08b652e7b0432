package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/pluginsdk"
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
		{"non-ASCII word", "die STRASSE", false}, // simple folding: ß is not ss
		{"non-ASCII word exact fold", "STRAẞE", true},
		{"Kelvin sign folds to k", "\u212Aelvin", true},
		{"precomposed accent", "un café", true},
		{"decomposed accent is another word", "un cafe\u0301", false},
		{"word followed by combining mark is longer", "ass\u0301", false},
		{"in other script context", "спам spamword спам", true},
		{"newline separated", "hello\nspamword\n", true},
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
		{"phrase", `{"words": ["buy now"], "action": "reject"}`, "not a single word"},
		{"bad action", `{"words": ["a"], "action": "delete"}`, `action: must be "reject" or "mask"`},
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
	configure := func(t *testing.T, config string) *wordFilter {
		t.Helper()
		f := &wordFilter{}
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
		if *resp != want {
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
		if _, err := (&wordFilter{}).CheckStatus(ctx, &pluginsdk.CheckStatusRequest{}); err == nil {
			t.Fatal("want an error before Configure")
		}
	})
}
