package policy

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite"
)

func withHooks(s PluginSpec, hooks ...string) PluginSpec {
	s.Hooks = hooks
	return s
}

func TestRankNeverWidens(t *testing.T) {
	h := startHost(t, withHooks(testPolicy(t, "reverser", "allow", FailClosed), pluginsdk.HookRank))
	now := time.Now()
	req := &pluginsdk.RankRequest{Now: now, Candidates: []pluginsdk.Candidate{{ID: 10}, {ID: 20}, {ID: 30}}}
	ids, err := h.Rank(context.Background(), req)
	// testpolicy answers the reverse order plus an invented ID and a repeat.
	if err != nil || !slices.Equal(ids, []int64{30, 20, 10}) {
		t.Fatalf("Rank = %v, %v; want [30 20 10] with the invented and repeated IDs dropped", ids, err)
	}
}

func TestRankFailModes(t *testing.T) {
	req := &pluginsdk.RankRequest{Candidates: []pluginsdk.Candidate{{ID: 1}, {ID: 2}}}
	open := withHooks(testPolicy(t, "slow", "hang", FailOpen), pluginsdk.HookRank)
	open.Timeout = Duration(100 * time.Millisecond)
	h := startHost(t, open)
	if ids, err := h.Rank(context.Background(), req); err != nil || !slices.Equal(ids, []int64{1, 2}) {
		t.Errorf("fail open: %v, %v; want the order kept", ids, err)
	}
	closed := withHooks(testPolicy(t, "slow", "hang", FailClosed), pluginsdk.HookRank)
	closed.Timeout = Duration(100 * time.Millisecond)
	h = startHost(t, closed)
	if _, err := h.Rank(context.Background(), req); !errors.Is(err, ErrUnavailable) {
		t.Errorf("fail closed: %v, want ErrUnavailable", err)
	}
	if _, err := h.Rank(context.Background(), &pluginsdk.RankRequest{Candidates: make([]pluginsdk.Candidate, maxRankCandidates+1)}); err == nil {
		t.Error("an oversized rank request was sent")
	}
}

func TestApplyRanking(t *testing.T) {
	cands := []pluginsdk.Candidate{{ID: 1}, {ID: 2}, {ID: 3}}
	ids := func(cs []pluginsdk.Candidate) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		resp    pluginsdk.RankResponse
		want    []int64
		wantErr string
	}{
		{"scores, ties stable", pluginsdk.RankResponse{Scores: []float64{0.5, 0.9, 0.5}}, []int64{2, 1, 3}, ""},
		{"order drops the missing", pluginsdk.RankResponse{Order: []int64{3, 1}}, []int64{3, 1}, ""},
		{"order ignores strangers and repeats", pluginsdk.RankResponse{Order: []int64{99, 2, 2, 1, 3}}, []int64{2, 1, 3}, ""},
		{"too few scores", pluginsdk.RankResponse{Scores: []float64{1}}, nil, "1 scores for 3 candidates"},
		{"NaN score", pluginsdk.RankResponse{Scores: []float64{1, nanF(), 0}}, nil, "NaN"},
		{"nothing", pluginsdk.RankResponse{}, nil, "0 scores"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applyRanking(cands, &tt.resp)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(ids(got), tt.want) {
				t.Fatalf("got %v, %v; want %v", ids(got), err, tt.want)
			}
		})
	}
}

func nanF() float64 { z := 0.0; return z / z }

func TestCheckAccount(t *testing.T) {
	h := startHost(t,
		withHooks(testPolicy(t, "flagger", "flag", FailClosed), pluginsdk.HookCheckAccount),
		withHooks(testPolicy(t, "gate", "reject", FailClosed), pluginsdk.HookCheckAccount),
	)
	resp, err := h.CheckAccount(context.Background(), &pluginsdk.CheckAccountRequest{Username: "bob", Event: pluginsdk.AccountSignup})
	if err != nil || resp.Verdict != pluginsdk.VerdictReject || resp.Plugin != "gate" || len(resp.Decisions) != 2 {
		t.Fatalf("got %+v, %v; want gate's reject after flagger's flag", resp, err)
	}
}

// TestAuditToStore: decisions reach the store's audit log with the version
// that made them; allows do not.
func TestAuditToStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/audit.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := NewHost(ctx, &Manifest{Plugins: []PluginSpec{testPolicy(t, "judge", "reject", FailClosed)}}, nil,
		Options{Audit: StoreAudit(st, snowflaketest.New()), StartTimeout: testStartTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{AccountID: 7, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	ds, err := st.GetPolicyDecisions(ctx, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Plugin != "judge" || ds[0].PluginVersion != "0.0.1-test" || ds[0].Verdict != "reject" || ds[0].AccountID != 7 || ds[0].Hook != "check_status" {
		t.Fatalf("audit = %+v", ds)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                  "plain",
		"nul\x00byte":            "nul byte",
		"bad\xffutf8":            "bad\uFFFDutf8",
		"new\nline":              "new line",
		strings.Repeat("é", 300): strings.Repeat("é", 256),
	} {
		if got := cleanText(in, maxReason); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWatchAppliesManifestChanges: a saved manifest is applied by the
// watcher: a changed entry is swapped, a new one started, a removed one
// stopped. The first change is saved before the watcher starts, as when
// the file changes between the host's start and the watcher's first read
// (the watcher once took that content as the applied one, and never
// applied it).
func TestWatchAppliesManifestChanges(t *testing.T) {
	fh := startFileHost(t, testPolicy(t, "judge", "flag", FailClosed))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fh.edit(t, "judge", func(p *PluginSpec) { p.Config = []byte(`{"mode": "reject", "reason": "now strict"}`) })
	go fh.Watch(ctx, 10*time.Millisecond)

	waitFor(t, 30*time.Second, "the changed config to apply", func() bool {
		resp, err := fh.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "x"})
		return err == nil && resp.Verdict == pluginsdk.VerdictReject
	})

	m, err := LoadManifest(fh.file)
	if err != nil {
		t.Fatal(err)
	}
	m.Plugins = []PluginSpec{testPolicy(t, "newcomer", "flag", FailOpen)}
	if err := m.Save(fh.file); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the new manifest to apply", func() bool {
		ps := fh.Plugins()
		return len(ps) == 1 && ps[0].Name == "newcomer" && ps[0].State == StateReady
	})
	resp, err := fh.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "x"})
	if err != nil || resp.Verdict != pluginsdk.VerdictFlag || resp.Decisions[0].Plugin != "newcomer" {
		t.Fatalf("after the swap: %+v, %v", resp, err)
	}

	// An invalid manifest is refused; what runs keeps running.
	if err := writeFile(fh.file, `{"plugins": [{"name": "Bad Name"}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := fh.Apply(context.Background()); err == nil {
		t.Error("an invalid manifest was applied")
	}
	if ps := fh.Plugins(); len(ps) != 1 || ps[0].State != StateReady {
		t.Errorf("after an invalid manifest: %+v", ps)
	}
}

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}
