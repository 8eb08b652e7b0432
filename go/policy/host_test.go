package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
)

func checkStatus(t *testing.T, h *testHost, text, spoiler string) *pluginsdk.CheckStatusResponse {
	t.Helper()
	resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{
		AccountID: 42, Username: "alice", Text: text, SpoilerText: spoiler, Visibility: "public", Language: "en",
	})
	if err != nil {
		t.Fatalf("CheckStatus(%q): %v", text, err)
	}
	return resp
}

func TestWordfilterAllow(t *testing.T) {
	h := startHost(t, wordfilter(t, "reject"))
	got := checkStatus(t, h, "a perfectly nice post about classes", "cw")
	want := pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictAllow, Text: "a perfectly nice post about classes", SpoilerText: "cw"}
	if !sameResponse(got, &want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if n := h.count(t, "wordfilter", "check_status", "allow"); n != 1 {
		t.Errorf("allow count = %v, want 1", n)
	}
	// Calls and their latency are counted per plugin and version (the
	// one the running plugin reports).
	version := ""
	for _, p := range h.Plugins() {
		if p.Name == "wordfilter" {
			version = p.Version
		}
	}
	if version == "" {
		t.Fatal("wordfilter reports no version")
	}
	for _, name := range []string{"starling_policy_decisions_total", "starling_policy_call_duration_seconds"} {
		var got float64
		for _, m := range h.series(t, name) {
			if m.labels["plugin"] == "wordfilter" && m.labels["hook"] == "check_status" && m.labels["version"] == version {
				got += m.value
			}
		}
		if got != 1 {
			t.Errorf("%s{plugin=wordfilter,version=%s,hook=check_status} = %v, want 1", name, version, got)
		}
	}
}

func TestWordfilterReject(t *testing.T) {
	h := startHost(t, wordfilter(t, "reject"))
	got := checkStatus(t, h, "click my ScamLink now", "")
	if got.Verdict != pluginsdk.VerdictReject || got.Plugin != "wordfilter" {
		t.Fatalf("got %+v, want a reject by wordfilter", got)
	}
	if !strings.Contains(got.Reason, "blocked word") || strings.Contains(strings.ToLower(got.Reason), "scamlink") {
		t.Errorf("reason %q: want it to mention a blocked word without echoing it", got.Reason)
	}
	if n := h.count(t, "wordfilter", "check_status", "reject"); n != 1 {
		t.Errorf("reject count = %v, want 1", n)
	}
	if log := h.log.String(); !strings.Contains(log, `"msg":"policy decision"`) || !strings.Contains(log, `"verdict":"reject"`) {
		t.Errorf("no audit line for the reject in:\n%s", log)
	}
}

func TestWordfilterMask(t *testing.T) {
	h := startHost(t, wordfilter(t, "mask"))
	got := checkStatus(t, h, "buy SPAMWORD, not spamwords", "scamlink inside")
	if got.Verdict != pluginsdk.VerdictRewrite {
		t.Fatalf("got %+v, want a rewrite", got)
	}
	if want := "buy ********, not spamwords"; got.Text != want {
		t.Errorf("text %q, want %q", got.Text, want)
	}
	if want := "******** inside"; got.SpoilerText != want {
		t.Errorf("spoiler %q, want %q", got.SpoilerText, want)
	}
}

func TestCombinedVerdicts(t *testing.T) {
	h := startHost(t,
		wordfilter(t, "mask"),
		testPolicy(t, "flagger", "flag", FailClosed),
		testPolicy(t, "nsfw", "mark_sensitive", FailClosed),
		testPolicy(t, "appender", "rewrite", FailClosed),
		testPolicy(t, "quiet", "allow", FailClosed),
	)
	got := checkStatus(t, h, "a spamword here", "")
	want := pluginsdk.CheckStatusResponse{
		Verdict:   pluginsdk.VerdictRewrite,
		Reason:    "wordfilter: blocked words were masked; flagger: flagger says flag; nsfw: nsfw says mark_sensitive; appender: appender says rewrite",
		Text:      "a ******** here +appender", // appender saw wordfilter's rewrite
		Sensitive: true,
		Flagged:   true,
	}
	if !sameResponse(got, &want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// Every non-allow verdict is attributed to the plugin and version.
	var who []string
	for _, d := range got.Decisions {
		who = append(who, d.Plugin+"@"+d.Version+":"+d.Verdict.String())
	}
	if w := "wordfilter@" + wordfilterVersion + ":rewrite flagger@0.0.1-test:flag nsfw@0.0.1-test:mark_sensitive appender@0.0.1-test:rewrite"; strings.Join(who, " ") != w {
		t.Errorf("decisions %v, want %s", who, w)
	}
}

func TestFirstRejectWins(t *testing.T) {
	h := startHost(t,
		testPolicy(t, "appender", "rewrite", FailClosed),
		testPolicy(t, "first", "reject", FailClosed),
		testPolicy(t, "second", "reject", FailClosed),
	)
	got := checkStatus(t, h, "hello", "")
	if got.Verdict != pluginsdk.VerdictReject || got.Plugin != "first" || got.Reason != "first says reject" {
		t.Fatalf("got %+v, want first's reject", got)
	}
	if n := h.count(t, "second", "check_status", "reject"); n != 0 {
		t.Errorf("second was asked after first rejected (count %v)", n)
	}
}

func TestEmptyManifestAllowsEverything(t *testing.T) {
	h := startHost(t)
	got := checkStatus(t, h, "spamword", "x")
	if got.Verdict != pluginsdk.VerdictAllow || got.Text != "spamword" || got.SpoilerText != "x" {
		t.Fatalf("got %+v", got)
	}
	if ps := h.Plugins(); len(ps) != 0 {
		t.Errorf("Plugins() = %v, want none", ps)
	}
}

func TestFailModes(t *testing.T) {
	tests := []struct {
		mode     string // testpolicy mode that makes the call fail
		failMode FailMode
		wantErr  string // empty: allowed
	}{
		{"hang", FailOpen, ""},
		{"hang", FailClosed, "timed out after 100ms"},
		{"crash", FailOpen, ""},
		{"crash", FailClosed, "check_status failed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.mode, tt.failMode), func(t *testing.T) {
			bad := testPolicy(t, "bad", tt.mode, tt.failMode)
			// The host's deadline is what ends a hang: no sleeping here, and
			// the timeout can be short without making the test flaky.
			bad.Timeout = Duration(100 * time.Millisecond)
			if tt.mode == "crash" {
				// Long enough for the exit to reach the host on a busy machine.
				bad.Timeout = Duration(10 * time.Second)
			}
			h := startHost(t, bad, wordfilter(t, "reject"))

			resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "hello"})
			if tt.wantErr == "" {
				if err != nil || resp.Verdict != pluginsdk.VerdictAllow {
					t.Fatalf("fail open: got %+v, %v; want allowed", resp, err)
				}
			} else {
				if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("fail closed: got %+v, %v; want ErrUnavailable mentioning %q", resp, err, tt.wantErr)
				}
			}
			if n := h.count(t, "bad", "check_status", "error"); n != 1 {
				t.Errorf("error count = %v, want 1", n)
			}
			// With fail open the later plugins still run.
			if n := h.count(t, "wordfilter", "check_status", "allow"); tt.wantErr == "" && n != 1 {
				t.Errorf("wordfilter not asked after the skipped plugin")
			}
		})
	}
}

func TestCallerCancellationIsNotAFailMode(t *testing.T) {
	h := startHost(t, testPolicy(t, "bad", "hang", FailOpen))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{Text: "hello"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want context.Canceled (the caller gave up; no verdict)", err)
	}
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		name    string
		spec    func(t *testing.T) PluginSpec
		wantErr []string
		wantIs  error
	}{
		{
			name: "sha256 mismatch",
			spec: func(t *testing.T) PluginSpec {
				s := wordfilter(t, "reject")
				s.SHA256 = strings.Repeat("ab", 32)
				return s
			},
			wantErr: []string{`plugin "wordfilter"`, "verify", "sha256 mismatch", "manifest pins " + strings.Repeat("ab", 32)},
			wantIs:  errHashMismatch,
		},
		{
			name: "missing binary",
			spec: func(t *testing.T) PluginSpec {
				s := wordfilter(t, "reject")
				s.Path = t.TempDir() + "/nope"
				return s
			},
			wantErr: []string{"verify", "no such file"},
			wantIs:  fs.ErrNotExist,
		},
		{
			name: "no sha256",
			spec: func(t *testing.T) PluginSpec {
				s := wordfilter(t, "reject")
				s.SHA256 = ""
				return s
			},
			wantErr: []string{"no sha256", "plugins pin"},
		},
		{
			name:    "invalid config",
			spec:    func(t *testing.T) PluginSpec { return wordfilter(t, "delete") },
			wantErr: []string{"invalid config", `action: must be "reject", "mask" or "flag"`},
		},
		{
			name: "Info name differs from manifest",
			spec: func(t *testing.T) PluginSpec {
				s := wordfilter(t, "reject")
				s.Name = "profanity"
				return s
			},
			wantErr: []string{`plugin "profanity"`, `says it is "wordfilter"`},
		},
		{
			name: "version differs from manifest",
			spec: func(t *testing.T) PluginSpec {
				s := wordfilter(t, "reject")
				s.Version = "9.9.9"
				return s
			},
			wantErr: []string{`plugin "wordfilter"`, "info", `manifest pins "9.9.9"`},
		},
		{
			name:    "not a plugin (handshake)",
			spec:    func(t *testing.T) PluginSpec { return spec(t, "true", "/bin/true", FailClosed, "") },
			wantErr: []string{`plugin "true"`, "handshake"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A healthy plugin first: NewHost must stop it when a later one
			// fails (TestMain fails on leaked processes).
			_, err := newTestHost(t, testPolicy(t, "ok", "allow", FailClosed), tt.spec(t))
			if err == nil {
				t.Fatal("NewHost succeeded, want an error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestInvalidManifestRefused(t *testing.T) {
	s := wordfilter(t, "reject")
	s.FailMode = "sometimes"
	if _, err := newTestHost(t, s); err == nil || !strings.Contains(err.Error(), "fail_mode") {
		t.Fatalf("got %v, want a fail_mode error", err)
	}
}

func TestPluginsListing(t *testing.T) {
	disabled := testPolicy(t, "later", "allow", FailOpen)
	disabled.Enabled = false
	wf := wordfilter(t, "reject")
	h := startHost(t, wf, disabled)

	got := h.Plugins()
	if len(got) != 2 {
		t.Fatalf("Plugins() = %+v, want 2", got)
	}
	if p := got[0]; p.Name != "wordfilter" || p.Version != wordfilterVersion || p.State != StateReady ||
		p.SHA256 != wf.SHA256 || p.FailMode != FailClosed || p.Timeout != 2*time.Second ||
		len(p.Hooks) != 1 || p.Hooks[0] != "check_status" || p.Path != wordfilterBin {
		t.Errorf("wordfilter: %+v", p)
	}
	if p := got[1]; p.Name != "later" || p.State != StateDisabled || p.Version != "" {
		t.Errorf("disabled: %+v", p)
	}
}

func TestCloseKillsPlugins(t *testing.T) {
	h := startHost(t, wordfilter(t, "reject"), testPolicy(t, "other", "allow", FailClosed))
	var pids []int
	for _, p := range h.Plugins() {
		if p.PID == 0 {
			t.Fatalf("%s: no pid", p.Name)
		}
		pids = append(pids, p.PID)
	}

	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	_ = h.Close() // idempotent

	// Kill waits for the process to be reaped, so it is gone now, not soon.
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("plugin process %d still exists after Close (kill 0: %v)", pid, err)
		}
	}
	for _, p := range h.Plugins() {
		if p.State != StateStopped {
			t.Errorf("%s: state %s after Close, want stopped", p.Name, p.State)
		}
	}
	_, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "x"})
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("CheckStatus after Close: %v, want ErrUnavailable", err)
	}
}

func TestConcurrentCheckStatus(t *testing.T) {
	h := startHost(t, wordfilter(t, "mask"), testPolicy(t, "appender", "rewrite", FailClosed))
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				text := fmt.Sprintf("post %d-%d spamword", w, i)
				resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{AccountID: int64(w), Text: text})
				if err != nil {
					errs <- err
					continue
				}
				if want := fmt.Sprintf("post %d-%d ******** +appender", w, i); resp.Text != want {
					errs <- fmt.Errorf("got %q, want %q", resp.Text, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := h.count(t, "wordfilter", "check_status", "rewrite"); n != workers*calls {
		t.Errorf("rewrite count = %v, want %d", n, workers*calls)
	}
}

// TestBundledManifest starts the shipped template the way `make` pins it.
func TestBundledManifest(t *testing.T) {
	m, err := LoadManifest("../../plugins/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyFile(t, wordfilterBin, dir+"/wordfilter")
	copyFile(t, spamguardBin, dir+"/spamguard")
	copyFile(t, rankerBin, dir+"/ranker")
	if err := Pin(m, dir); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir + "/manifest.json"); err != nil {
		t.Fatal(err)
	}
	pinned, err := LoadManifest(dir + "/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHost(context.Background(), pinned, nil, Options{StartTimeout: testStartTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "see my ＳＣＡＭ​LINK"})
	if err != nil || resp.Verdict != pluginsdk.VerdictReject || resp.Plugin != "wordfilter" {
		t.Fatalf("got %+v, %v; want the bundled config to reject", resp, err)
	}
	// A new account's status with three links is flagged by spamguard.
	resp, err = h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{AccountID: 5, Text: "https://a.example https://b.example https://c.example"})
	if err != nil || resp.Verdict != pluginsdk.VerdictFlag || len(resp.Decisions) != 1 || resp.Decisions[0].Plugin != "spamguard" {
		t.Fatalf("got %+v, %v; want spamguard's flag", resp, err)
	}
	// The ranker ships disabled; enabling it in the file and applying works,
	// and enabling it again reports it as it is.
	if h.Routed(pluginsdk.HookRank) {
		t.Fatal("Routed(rank) with the ranker disabled, want false")
	}
	for range 2 {
		res, err := h.SetEnabled(context.Background(), "ranker", true)
		if err != nil || res.State != StateReady || res.Version != "1.0.0" {
			t.Fatalf("enable ranker: %+v, %v", res, err)
		}
	}
	if !h.Routed(pluginsdk.HookRank) {
		t.Fatal("Routed(rank) with the ranker enabled, want true")
	}
	ids, err := h.Rank(context.Background(), &pluginsdk.RankRequest{Now: time.Now(), Candidates: []pluginsdk.Candidate{
		{ID: 1, CreatedAt: time.Now().Add(-48 * time.Hour)}, {ID: 2, CreatedAt: time.Now()},
	}})
	if err != nil || !slices.Equal(ids, []int64{2, 1}) {
		t.Fatalf("Rank = %v, %v; want the newer first", ids, err)
	}
}

// sameResponse compares two responses, leaving out Decisions.
func sameResponse(a, b *pluginsdk.CheckStatusResponse) bool {
	x, y := *a, *b
	x.Decisions, y.Decisions = nil, nil
	return reflect.DeepEqual(x, y)
}
