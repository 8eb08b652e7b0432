package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

const testToken = "s3cret-admin-token"

func newTestRouter(t *testing.T, plugins PluginHost) http.Handler {
	t.Helper()
	return newTestRouterWith(t, Options{Plugins: plugins})
}

func newTestRouterWith(t *testing.T, o Options) http.Handler {
	t.Helper()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "starling_admin_test_total", Help: "Test counter."})
	reg.MustRegister(c)
	c.Inc()
	o.Token, o.Registry = testToken, reg
	return NewRouter(o)
}

func serve(t *testing.T, h http.Handler, target, auth string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, http.MethodGet, target, auth)
}

func do(t *testing.T, h http.Handler, method, target, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRequireToken(t *testing.T) {
	h := newTestRouter(t, nil)
	tests := []struct {
		name, auth string
		code       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token prefix", "Bearer " + testToken[:5], http.StatusUnauthorized},
		{"token with a suffix", "Bearer " + testToken + "x", http.StatusUnauthorized},
		{"wrong scheme", "Basic " + testToken, http.StatusUnauthorized},
		{"token without scheme", testToken, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"extra space", "Bearer  " + testToken, http.StatusUnauthorized},
		{"right token", "Bearer " + testToken, http.StatusOK},
		{"scheme is case-insensitive", "bearer " + testToken, http.StatusOK},
	}
	for _, tt := range tests {
		for _, target := range []string{"/debug/pprof/", "/metrics", "/api/v1/admin/plugins", "/admin/plugins", "/no/such/route"} {
			t.Run(tt.name+target, func(t *testing.T) {
				rec := serve(t, h, target, tt.auth)
				want := tt.code
				if target == "/no/such/route" && want == http.StatusOK {
					want = http.StatusNotFound
				}
				if rec.Code != want {
					t.Fatalf("status %d, want %d", rec.Code, want)
				}
				if want != http.StatusUnauthorized {
					return
				}
				var body map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] == "" {
					t.Fatalf("401 body %s is not {\"error\":...}", rec.Body)
				}
				if strings.Contains(rec.Body.String(), testToken) {
					t.Fatal("401 body echoes the token")
				}
			})
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	h := newTestRouter(t, nil)
	auth := "Bearer " + testToken
	tests := []struct {
		target, contains string
	}{
		{"/debug/pprof/", "goroutine"},
		{"/debug/pprof/goroutine?debug=1", "goroutine profile:"},
		{"/debug/pprof/heap?debug=1", "heap profile:"},
		{"/debug/pprof/cmdline", ""},
		{"/metrics", "starling_admin_test_total 1"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := serve(t, h, tt.target, auth)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d; body %s", rec.Code, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("body lacks %q", tt.contains)
			}
		})
	}
}

func TestNewRouterRequiresConfig(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"empty token", Options{Registry: prometheus.NewRegistry()}},
		{"no registry", Options{Token: testToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("NewRouter did not panic")
				}
			}()
			NewRouter(tt.o)
		})
	}
}
