package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// from sends a request as the client at ip (the server trusts the test's
// loopback address as a proxy, so X-Forwarded-For names the client).
func (s *server) from(ip, method, target, token string, form url.Values) response {
	s.t.Helper()
	var body []byte
	ct := ""
	if form != nil {
		body, ct = []byte(form.Encode()), "application/x-www-form-urlencoded"
	}
	return s.raw(method, target, token, ct, body, http.Header{"X-Forwarded-For": {ip}})
}

func junkToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestRateLimitKeys checks what the API rate limit counts against (issue #7
// §9): the account of a valid token; the client IP, by /64 for IPv6, for
// requests without a token or with one that is not valid; and never a CORS
// preflight.
func TestRateLimitKeys(t *testing.T) {
	const limit = 10
	s := startServer(t, t.TempDir(), "--rate-limit", strconv.Itoa(limit), "--trusted-proxies", "127.0.0.1")
	_, _, tok := users(t, s, "alice")
	alice := tok["alice"]

	t.Run("made-up tokens count against the IP", func(t *testing.T) {
		s := s.as(t)
		const ip = "203.0.113.7"
		for i := range limit {
			r := s.from(ip, "GET", "/api/v1/timelines/home", junkToken(), nil)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("junk token %d: %d, want 401", i, r.status)
			}
		}
		if r := s.from(ip, "GET", "/api/v1/timelines/home", junkToken(), nil); r.status != http.StatusTooManyRequests {
			t.Fatalf("junk token past the limit: %d, want 429", r.status)
		}
		if r := s.from(ip, "GET", "/api/v1/instance", "", nil); r.status != http.StatusTooManyRequests {
			t.Fatalf("no token from the same IP: %d, want 429 (one budget per IP)", r.status)
		}
		// A real account behind that IP has its own budget.
		r := s.must(s.from(ip, "GET", "/api/v1/timelines/home", alice, nil), http.StatusOK)
		if r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(limit-1) {
			t.Fatalf("alice's remaining %q, want %d", r.header.Get("X-RateLimit-Remaining"), limit-1)
		}
	})

	t.Run("a valid token counts against its account from any IP", func(t *testing.T) {
		s := s.as(t)
		// Alice has spent 1 above; spend the rest from changing addresses.
		for i := range limit - 1 {
			s.must(s.from("198.51.100."+strconv.Itoa(i+1), "GET", "/api/v1/timelines/home", alice, nil), http.StatusOK)
		}
		if r := s.from("198.51.100.200", "GET", "/api/v1/timelines/home", alice, nil); r.status != http.StatusTooManyRequests {
			t.Fatalf("alice past her limit from a new IP: %d, want 429", r.status)
		}
		// Those addresses still have their own budgets.
		s.must(s.from("198.51.100.1", "GET", "/api/v1/instance", "", nil), http.StatusOK)
	})

	t.Run("IPv6 clients count by /64", func(t *testing.T) {
		s := s.as(t)
		for i := range limit {
			s.must(s.from("2001:db8:1:2::"+strconv.Itoa(i+1), "GET", "/api/v1/instance", "", nil), http.StatusOK)
		}
		if r := s.from("2001:db8:1:2:ffff:ffff:ffff:fffe", "GET", "/api/v1/instance", "", nil); r.status != http.StatusTooManyRequests {
			t.Fatalf("another address in the /64: %d, want 429", r.status)
		}
		s.must(s.from("2001:db8:1:3::1", "GET", "/api/v1/instance", "", nil), http.StatusOK)
	})

	t.Run("CORS preflights are not counted", func(t *testing.T) {
		s := s.as(t)
		const ip = "192.0.2.44"
		preflight := http.Header{"X-Forwarded-For": {ip}, "Origin": {"https://elk.example"},
			"Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization"}}
		for i := range 2 * limit {
			r := s.raw("OPTIONS", "/api/v1/instance", "", "", nil, preflight)
			if r.status == http.StatusTooManyRequests || r.header.Get("X-RateLimit-Limit") != "" {
				t.Fatalf("preflight %d: %d %v, want it outside the rate limit", i, r.status, r.header)
			}
		}
		r := s.must(s.from(ip, "GET", "/api/v1/instance", "", nil), http.StatusOK)
		if r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(limit-1) {
			t.Fatalf("remaining after preflights %q, want %d", r.header.Get("X-RateLimit-Remaining"), limit-1)
		}
	})
}

// TestRateLimitApps checks that app registration, which needs no token, is
// limited per client IP by its own rule.
func TestRateLimitApps(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit-apps", "3", "--trusted-proxies", "127.0.0.1")
	app := url.Values{"client_name": {"e2e"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}}
	const ip = "192.0.2.50"
	for range 3 {
		s.must(s.from(ip, "POST", "/api/v1/apps", "", app), http.StatusOK)
	}
	r := s.from(ip, "POST", "/api/v1/apps", "", app)
	if r.status != http.StatusTooManyRequests || r.header.Get("X-RateLimit-Limit") != "3" {
		t.Fatalf("4th app: %d limit %q, want 429 under the apps rule", r.status, r.header.Get("X-RateLimit-Limit"))
	}
	s.must(s.from(ip, "GET", "/api/v1/instance", "", nil), http.StatusOK)
	s.must(s.from("192.0.2.51", "POST", "/api/v1/apps", "", app), http.StatusOK)
}
