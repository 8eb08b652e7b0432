package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// preflight is the OPTIONS request a browser sends before a cross-origin
// request it may not send plainly.
func preflight(path, method, headers string) *http.Request {
	req := httptest.NewRequest(http.MethodOptions, path, nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	req.RemoteAddr = "192.0.2.7:1234"
	return req
}

func TestCORSPreflight(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: RateLimit{Limit: 2, Window: time.Minute}})
	tests := []struct {
		path, methods string
	}{
		{"/api/v1/statuses", "GET, POST, PUT, PATCH, DELETE"},
		{"/api/v1/accounts/update_credentials", "GET, POST, PUT, PATCH, DELETE"},
		{"/api/v2/nothing-here", "GET, POST, PUT, PATCH, DELETE"},
		{"/oauth/token", "POST"},
		{"/oauth/revoke", "POST"},
		{"/.well-known/oauth-authorization-server", "GET"},
		{"/.well-known/nodeinfo", "GET"},
		{"/nodeinfo/2.0", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// Far more preflights than the limit allows: none is counted.
			for range 5 {
				rec := s.serve(t, preflight(tt.path, "POST", "authorization, content-type, idempotency-key"))
				if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
					t.Fatalf("status %d, body %q; want 204 and no body", rec.Code, rec.Body)
				}
				h := rec.Header()
				want := map[string]string{
					"Access-Control-Allow-Origin":  "*",
					"Access-Control-Allow-Methods": tt.methods,
					"Access-Control-Allow-Headers": "authorization, content-type, idempotency-key",
					"Access-Control-Max-Age":       "7200",
				}
				for k, v := range want {
					if h.Get(k) != v {
						t.Errorf("%s = %q, want %q", k, h.Get(k), v)
					}
				}
				for _, k := range []string{"Access-Control-Allow-Credentials", "X-RateLimit-Remaining"} {
					if h.Get(k) != "" {
						t.Errorf("preflight has %s: %q", k, h.Get(k))
					}
				}
			}
		})
	}
	// The same client's first real request still has its whole allowance.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/instance", nil)
	req.RemoteAddr = "192.0.2.7:1234"
	if rec := s.serve(t, req); rec.Header().Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("after preflights: X-RateLimit-Remaining = %q, want 1 (preflights were counted)", rec.Header().Get("X-RateLimit-Remaining"))
	}
}

func TestCORSResponses(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: RateLimit{Limit: 1, Window: time.Minute}})
	const exposed = "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-Id"
	tests := []struct {
		method, path string
		cors         bool
	}{
		{"GET", "/api/v1/instance", true},
		{"GET", "/api/v1/timelines/home", true}, // 401: errors must be readable too
		{"GET", "/api/v1/no-such-endpoint", true},
		{"POST", "/oauth/token", true},
		{"POST", "/oauth/revoke", true},
		{"GET", "/.well-known/nodeinfo", true},
		{"GET", "/nodeinfo/2.1", true},
		{"GET", "/oauth/authorize", false}, // a page, opened in a window, never fetched
		{"GET", "/healthz", false},
		{"GET", "/metrics", false},
		{"GET", "/avatars/original/missing.png", false},
		{"GET", "/api", false},
		{"POST", "/oauth/tokens", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Origin", "https://app.example")
			h := s.serve(t, req).Header()
			if got := h.Get("Access-Control-Allow-Origin") == "*"; got != tt.cors {
				t.Fatalf("Access-Control-Allow-Origin = %q, want CORS %v", h.Get("Access-Control-Allow-Origin"), tt.cors)
			}
			if tt.cors && h.Get("Access-Control-Expose-Headers") != exposed {
				t.Errorf("Access-Control-Expose-Headers = %q", h.Get("Access-Control-Expose-Headers"))
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
		})
	}
	// A 429 still carries CORS, so a browser app can read why.
	var rec *httptest.ResponseRecorder
	for range 3 {
		rec = s.serve(t, httptest.NewRequest(http.MethodGet, "/api/v1/instance", nil))
	}
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("over the limit: %d, Access-Control-Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
}

// TestCORSHostileRequestHeaders: only a short list of header names is
// echoed; anything else gets no Allow-Headers, and the browser fails the
// request.
func TestCORSHostileRequestHeaders(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, bad := range []string{
		strings.Repeat("x-a, ", 300),
		"content-type, x-evil\x00",
		"content-type\u00e9",
		"a;b",
		"a\"b",
	} {
		rec := s.serve(t, preflight("/api/v1/statuses", "POST", bad))
		if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Headers") != "" {
			t.Errorf("%q: status %d, Allow-Headers %q", bad, rec.Code, rec.Header().Get("Access-Control-Allow-Headers"))
		}
	}
	// An OPTIONS that is not a preflight is not answered as one.
	req := httptest.NewRequest(http.MethodOptions, "/api/v1/statuses", nil)
	if rec := s.serve(t, req); rec.Code == http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("plain OPTIONS: %d, Allow-Methods %q", rec.Code, rec.Header().Get("Access-Control-Allow-Methods"))
	}
}
