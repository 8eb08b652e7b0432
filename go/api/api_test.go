package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite"
)

// syncBuffer is a log sink safe to read while a server goroutine writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the public router over a real social service and a fresh
// SQLite database.
type testServer struct {
	handler http.Handler
	svc     *social.Service
	log     *syncBuffer
	reg     *prometheus.Registry
}

// newTestServer builds the router; o.Mastodon, o.Registry and o.Logger are
// filled in when unset.
func newTestServer(t *testing.T, o Options) *testServer {
	t.Helper()
	return newTestServerOn(t, o, nil)
}

// newTestServerOn is newTestServer with the service's store passed through
// wrap (when not nil), for tests that change how the store behaves.
func newTestServerOn(t *testing.T, o Options, wrap func(store.Store) store.Store) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var st store.Store = db
	if wrap != nil {
		st = wrap(db)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st), Logger: logger},
		social.Config{RegistrationsOpen: true, BcryptCost: bcrypt.MinCost})
	if o.Mastodon == nil {
		o.Mastodon = mastodon.New(svc, mastodon.Options{BaseURL: "https://starling.test", Logger: logger})
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = logger
	}
	return &testServer{handler: NewRouter(o), svc: svc, log: logs, reg: o.Registry}
}

// userToken creates an account and returns a token with every scope.
func (s *testServer) userToken(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	app, err := s.svc.CreateApp(ctx, social.AppInput{Name: "test", Scopes: "read write follow"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.CreateAccount(ctx, social.NewAccount{Username: name, Password: "password123"}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.svc.PasswordGrant(ctx, app, name, "password123", "")
	if err != nil {
		t.Fatal(err)
	}
	return tok.Secret
}

// serve runs one request synchronously through the router.
func (s *testServer) serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

func (s *testServer) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	return s.serve(t, httptest.NewRequest(http.MethodGet, target, nil))
}

// metrics is the exposition text of the server's registry, as the admin
// listener serves it.
func (s *testServer) metrics(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// decodeBody checks the JSON content type and decodes an object body.
func decodeBody(t *testing.T, code int, header http.Header, body []byte) map[string]string {
	t.Helper()
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json (status %d, body %s)", ct, code, body)
	}
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return m
}

func TestNewRouterRequiresDeps(t *testing.T) {
	h := mastodon.New(nil, mastodon.Options{})
	tests := []struct {
		name string
		o    Options
	}{
		{"no Mastodon handler", Options{Registry: prometheus.NewRegistry()}},
		{"no registry", Options{Mastodon: h}},
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

func TestHealthz(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := s.get(t, "/healthz")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if body := decodeBody(t, rec.Code, rec.Header(), rec.Body.Bytes()); body["status"] != "ok" {
		t.Fatalf("body %v", body)
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	// hangs answers only when its context ends, so it shows the timeout
	// is applied without the test waiting on a clock of its own.
	hangs := func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}
	tests := []struct {
		name   string
		checks []Check
		code   int
		want   map[string]string
	}{
		{"no checks", nil, http.StatusOK, map[string]string{"status": "ok"}},
		{"all ok", []Check{{"database", ok, false}, {"redis", ok, true}}, http.StatusOK,
			map[string]string{"status": "ok", "database": "ok", "redis": "ok"}},
		{"one down", []Check{{"database", ok, false}, {"plugins", down, false}}, http.StatusServiceUnavailable,
			map[string]string{"status": "unavailable", "database": "ok", "plugins": "error"}},
		{"optional down: degraded", []Check{{"database", ok, false}, {"redis", down, true}}, http.StatusOK,
			map[string]string{"status": "degraded", "database": "ok", "redis": "error"}},
		{"all down", []Check{{"database", down, false}, {"redis", down, true}}, http.StatusServiceUnavailable,
			map[string]string{"status": "unavailable", "database": "error", "redis": "error"}},
		{"optional down first, then a required one", []Check{{"redis", down, true}, {"database", down, false}}, http.StatusServiceUnavailable,
			map[string]string{"status": "unavailable", "database": "error", "redis": "error"}},
		{"timeout", []Check{{"database", hangs, false}, {"redis", ok, true}}, http.StatusServiceUnavailable,
			map[string]string{"status": "unavailable", "database": "error", "redis": "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Options{Checks: tt.checks, ReadyTimeout: 1})
			rec := s.get(t, "/readyz")
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.code, rec.Body)
			}
			got := decodeBody(t, rec.Code, rec.Header(), rec.Body.Bytes())
			if len(got) != len(tt.want) {
				t.Fatalf("body %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			// The reason is logged, never answered.
			if strings.Contains(rec.Body.String(), "refused") || strings.Contains(rec.Body.String(), "deadline") {
				t.Errorf("body %s echoes an internal error", rec.Body)
			}
			if tt.want["status"] != "ok" && !strings.Contains(s.log.String(), "readiness check failed") {
				t.Errorf("log lacks the failed check: %s", s.log)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		name, target, sent string
		code               int
	}{
		{"generated", "/healthz", "", http.StatusOK},
		{"on errors too", "/api/v1/statuses/1", "", http.StatusNotFound},
		{"unknown route", "/nope", "", http.StatusNotFound},
		{"client's own kept", "/healthz", "trace-abc-123", http.StatusOK},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			rec := s.serve(t, req)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d", rec.Code, tt.code)
			}
			id := rec.Header().Get("X-Request-Id")
			switch {
			case tt.sent != "" && id != tt.sent:
				t.Fatalf("X-Request-Id = %q, want the client's %q", id, tt.sent)
			case id == "":
				t.Fatal("no X-Request-Id")
			case seen[id]:
				t.Fatalf("X-Request-Id %q repeated", id)
			}
			seen[id] = true
		})
	}
}

// TestRecoverer checks the middleware alone on a small router.
func TestRecoverer(t *testing.T) {
	logs := &syncBuffer{}
	r := chi.NewRouter()
	r.Use(recoverer(slog.New(slog.NewTextHandler(logs, nil))))
	r.Get("/panic-string", func(http.ResponseWriter, *http.Request) { panic("boom-string") })
	r.Get("/panic-error", func(http.ResponseWriter, *http.Request) { panic(errors.New("boom-error")) })
	r.Get("/panic-nil-map", func(http.ResponseWriter, *http.Request) {
		var m map[string]int
		m["x"] = 1
	})
	r.Get("/ok", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r.Get("/abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })

	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, tt := range []struct{ path, logged string }{
		{"/panic-string", "boom-string"},
		{"/panic-error", "boom-error"},
		{"/panic-nil-map", "assignment to entry in nil map"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500", resp.StatusCode)
			}
			if got := decodeBody(t, resp.StatusCode, resp.Header, body); got["error"] == "" || strings.Contains(string(body), tt.logged) {
				t.Fatalf("body %s: want a generic error, not the panic value", body)
			}
			if l := logs.String(); !strings.Contains(l, tt.logged) || !strings.Contains(l, "stack=") {
				t.Fatalf("log lacks the panic value or stack: %s", l)
			}
			// The server is still serving.
			resp, err = srv.Client().Get(srv.URL + "/ok")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("after the panic: status %d", resp.StatusCode)
			}
		})
	}

	t.Run("ErrAbortHandler passes through", func(t *testing.T) {
		defer func() {
			if rec := recover(); rec != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want http.ErrAbortHandler re-panicked", rec)
			}
		}()
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/abort", nil))
	})
}

// TestPanicThroughRouter panics inside the real router: a Mastodon handler
// built over a nil service dereferences it on GET /api/v1/instance, a
// genuine handler panic without a test-only route. The client gets a 500 in
// Mastodon's shape with its request ID, the panic is logged and counted,
// and the server keeps serving.
func TestPanicThroughRouter(t *testing.T) {
	s := newTestServer(t, Options{Mastodon: mastodon.New(nil, mastodon.Options{})})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/api/v1/instance")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500; body %s", resp.StatusCode, body)
	}
	if got := decodeBody(t, resp.StatusCode, resp.Header, body); got["error"] != "Internal server error" {
		t.Fatalf("body %s", body)
	}
	id := resp.Header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("500 without X-Request-Id")
	}
	if l := s.log.String(); !strings.Contains(l, "panic serving request") || !strings.Contains(l, id) {
		t.Fatalf("log lacks the panic or its request ID %q: %s", id, l)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatalf("after the panic: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("after the panic: GET %s = %d", path, resp.StatusCode)
		}
	}

	// The panic shows in the access log and the error-rate metric too.
	s.get(t, "/api/v1/instance")
	if l := s.log.String(); !strings.Contains(l, "path=/api/v1/instance status=500") {
		t.Fatalf("access log lacks the 500: %s", l)
	}
	wantMetric(t, s.metrics(t),
		`starling_http_requests_total{code="500",method="GET",route="/api/v1/instance"} 2`)
}

// wantMetric fails unless the exposition text has the exact sample line.
func wantMetric(t *testing.T, exposition, line string) {
	t.Helper()
	for _, l := range strings.Split(exposition, "\n") {
		if l == line {
			return
		}
	}
	t.Fatalf("metrics lack %s:\n%s", line, grepLines(exposition, "starling_http_requests_total"))
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetricsByRoutePattern(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, target := range []string{"/api/v1/statuses/123", "/api/v1/statuses/456", "/api/v1/statuses/abc", "/healthz", "/no/such/path", "/api/v1/nope", "/api/v2/nope/deeper"} {
		s.get(t, target)
	}
	// Any token is a valid method on the wire; each must not become a series.
	for _, method := range []string{"FOO1", "FOO2", "get"} {
		s.serve(t, httptest.NewRequest(method, "/healthz", nil))
	}
	text := s.metrics(t)
	// /metrics is the admin listener's, not a public route.
	if rec := s.get(t, "/metrics"); rec.Code != http.StatusNotFound {
		t.Fatalf("public /metrics: %d, want 404", rec.Code)
	}
	wantMetric(t, text, `starling_http_requests_total{code="404",method="GET",route="/api/v1/statuses/{id}"} 3`)
	wantMetric(t, text, `starling_http_requests_total{code="200",method="GET",route="/healthz"} 1`)
	wantMetric(t, text, `starling_http_request_duration_seconds_count{method="GET",route="/api/v1/statuses/{id}"} 3`)
	wantMetric(t, text, `starling_http_requests_total{code="404",method="GET",route="unmatched"} 1`)
	wantMetric(t, text, `starling_http_requests_total{code="404",method="GET",route="/api/v1/*"} 1`)
	wantMetric(t, text, `starling_http_requests_total{code="405",method="other",route="unmatched"} 3`)
	for _, raw := range []string{"123", "456", "abc", "/no/such/path", "nope", "FOO1", "get"} {
		if regexp.MustCompile(`starling_http_\w+\{[^}]*` + regexp.QuoteMeta(raw)).MatchString(text) {
			t.Errorf("a raw path (%s) became a label value:\n%s", raw, grepLines(text, "starling_http_requests_total"))
		}
	}
}

// TestBodyLimit posts statuses larger than the limit in each encoding
// clients use; each is refused with 413 in Mastodon's shape, and one under
// the limit goes through.
func TestBodyLimit(t *testing.T) {
	const limit = 1024
	s := newTestServer(t, Options{BodyLimit: limit})
	tok := s.userToken(t, "alice")
	big := strings.Repeat("a", 4*limit)

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	if err := mw.WriteField("status", big); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, contentType, body string
		code                    int
	}{
		{"JSON", "application/json", `{"status":"` + big + `"}`, http.StatusRequestEntityTooLarge},
		{"form", "application/x-www-form-urlencoded", url.Values{"status": {big}}.Encode(), http.StatusRequestEntityTooLarge},
		{"multipart", mw.FormDataContentType(), mp.String(), http.StatusRequestEntityTooLarge},
		{"under the limit", "application/json", `{"status":"small"}`, http.StatusOK},
	}
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/statuses", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.code, body)
			}
			if tt.code != http.StatusOK {
				if got := decodeBody(t, resp.StatusCode, resp.Header, body); got["error"] != "Request body too large" {
					t.Fatalf("body %s", body)
				}
			}
		})
	}
}
