package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/policy"
)

// fakeHost is a PluginHost with scripted answers that records calls.
type fakeHost struct {
	list  []policy.PluginInfo
	err   error
	calls []string
}

func (f *fakeHost) Plugins() []policy.PluginInfo { return f.list }

func (f *fakeHost) Reload(_ context.Context, name string) (policy.SwapResult, error) {
	f.calls = append(f.calls, "reload "+name)
	return policy.SwapResult{Plugin: name, Version: "2.0.0", State: policy.StateReady, Took: 42 * time.Millisecond}, f.err
}

func (f *fakeHost) SetEnabled(_ context.Context, name string, enabled bool) (policy.SwapResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("enabled %s %v", name, enabled))
	st := policy.StateDisabled
	if enabled {
		st = policy.StateReady
	}
	return policy.SwapResult{Plugin: name, State: st}, f.err
}

func TestListPlugins(t *testing.T) {
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	host := &fakeHost{list: []policy.PluginInfo{{
		Name: "wordfilter", Version: "1.1.0", SHA256: "ab", State: policy.StateReady, Enabled: true,
		Hooks: []string{"check_status"}, FailMode: policy.FailClosed, Timeout: 2 * time.Second, Order: 10,
		Path: "/p/wordfilter", PID: 7, Started: started, Calls: 100, Errors: 2,
		P50: 45 * time.Microsecond, P99: 900 * time.Microsecond, Restarts: 1, Swaps: 3, LastSwap: 80 * time.Millisecond,
	}, {Name: "ranker", State: policy.StateDisabled, FailMode: policy.FailOpen, Timeout: time.Second}}}
	tests := []struct {
		name string
		host PluginHost
		path string
		want string
	}{
		{"no policy configured", nil, "/admin/plugins", "[]"},
		{"plugins", host, "/admin/plugins", `[{"name":"wordfilter","version":"1.1.0","sha256":"ab","state":"ready","enabled":true,"hooks":["check_status"],"fail_mode":"closed","timeout":"2s","order":10,"path":"/p/wordfilter","pid":7,"started_at":"2026-01-02T03:04:05Z","calls":100,"errors":2,"p50_us":45,"p99_us":900,"restarts":1,"swaps":3,"last_swap":"80ms"},` +
			`{"name":"ranker","version":"","sha256":"","state":"disabled","enabled":false,"hooks":[],"fail_mode":"open","timeout":"1s","order":0,"path":"","calls":0,"errors":0,"p50_us":0,"p99_us":0,"restarts":0,"swaps":0}]`},
		{"earlier path", nil, "/api/v1/admin/plugins", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, newTestRouter(t, tt.host), tt.path, "Bearer "+testToken)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.want {
				t.Fatalf("body\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestPluginActions(t *testing.T) {
	auth := "Bearer " + testToken
	tests := []struct {
		name   string
		err    error
		path   string
		code   int
		call   string // what the host saw; empty: not called
		inBody string
	}{
		{"reload", nil, "/admin/plugins/wordfilter/reload", 200, "reload wordfilter", `"version":"2.0.0"`},
		{"enable", nil, "/admin/plugins/ranker/enable", 200, "enabled ranker true", `"state":"ready"`},
		{"disable", nil, "/admin/plugins/ranker/disable", 200, "enabled ranker false", `"state":"disabled"`},
		{"swap refused", errors.New(`policy: plugin "wordfilter": verify: sha256 mismatch`), "/admin/plugins/wordfilter/reload", 422, "reload wordfilter", "sha256 mismatch"},
		{"unknown plugin", fmt.Errorf("%w %q", policy.ErrUnknownPlugin, "nope"), "/admin/plugins/nope/reload", 404, "reload nope", "unknown plugin"},
		{"host closed", fmt.Errorf("x: %w", policy.ErrUnavailable), "/admin/plugins/a/reload", 503, "reload a", "unavailable"},
		{"upper case name", nil, "/admin/plugins/WordFilter/reload", 400, "", "lower-case"},
		{"long name", nil, "/admin/plugins/" + strings.Repeat("a", 65) + "/reload", 400, "", "at most 64"},
		{"NUL in name", nil, "/admin/plugins/a%00b/reload", 400, "", "lower-case"},
		{"invalid UTF-8 in name", nil, "/admin/plugins/a%ffb/reload", 400, "", "lower-case"},
		{"dot-dot name", nil, "/admin/plugins/..%2f..%2fetc/reload", 400, "", "lower-case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := &fakeHost{err: tt.err}
			rec := do(t, newTestRouter(t, host), http.MethodPost, tt.path, auth)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.code, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.inBody) {
				t.Errorf("body %s lacks %q", rec.Body, tt.inBody)
			}
			if got := strings.Join(host.calls, ","); got != tt.call {
				t.Errorf("host saw %q, want %q", got, tt.call)
			}
			if tt.code != 200 {
				var body map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] == "" {
					t.Errorf("error body %s is not {\"error\": ...}", rec.Body)
				}
			}
		})
	}
	t.Run("GET is not an action", func(t *testing.T) {
		host := &fakeHost{}
		rec := serve(t, newTestRouter(t, host), "/admin/plugins/wordfilter/reload", auth)
		if rec.Code != http.StatusMethodNotAllowed || len(host.calls) != 0 {
			t.Errorf("status %d, calls %v", rec.Code, host.calls)
		}
	})
	t.Run("no host", func(t *testing.T) {
		rec := do(t, newTestRouter(t, nil), http.MethodPost, "/admin/plugins/wordfilter/reload", auth)
		if rec.Code != http.StatusNotFound {
			t.Errorf("status %d", rec.Code)
		}
	})
}
