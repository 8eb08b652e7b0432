package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/ratelimit"
)

func okHandler(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

// testAccounts stands in for the Mastodon handler's Identify: the token
// "user-<n>" is account n's; any other token is invalid.
func testAccounts(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(testTokenKey{}).(int64)
	return id, ok
}

type testTokenKey struct{}

func limited(t *testing.T, cfg RateLimit) http.Handler {
	t.Helper()
	rl, err := newRateLimiter(cfg, slog.New(slog.DiscardHandler), testAccounts)
	if err != nil {
		t.Fatal(err)
	}
	return rl.middleware(http.HandlerFunc(okHandler))
}

func hit(h http.Handler, method, path, token, remote string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		if n, ok := strings.CutPrefix(token, "user-"); ok {
			id, _ := strconv.ParseInt(n, 10, 64)
			req = req.WithContext(context.WithValue(req.Context(), testTokenKey{}, id))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// exerciseLimits runs the same checks over any store.
func exerciseLimits(t *testing.T, store ratelimit.Store) {
	h := limited(t, RateLimit{Limit: 3, Window: time.Minute, AuthLimit: 2, Store: store})
	const ip = "192.0.2.1:1234"
	for i := range 3 {
		rec := hit(h, http.MethodGet, "/api/v1/timelines/public", "", ip)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		if got := rec.Header().Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("request %d: remaining %q, want %d", i, got, 2-i)
		}
		if rec.Header().Get("X-RateLimit-Limit") != "3" {
			t.Errorf("limit header %q", rec.Header().Get("X-RateLimit-Limit"))
		}
		reset, err := time.Parse(time.RFC3339Nano, rec.Header().Get("X-RateLimit-Reset"))
		if err != nil || reset.Before(time.Now()) || reset.After(time.Now().Add(time.Minute+time.Second)) {
			t.Errorf("reset %q (%v), want ISO 8601 within the window", rec.Header().Get("X-RateLimit-Reset"), err)
		}
	}
	rec := hit(h, http.MethodGet, "/api/v1/timelines/public", "", ip)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", rec.Code)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != "Too many requests" {
		t.Errorf("429 body %q", rec.Body.String())
	}
	// Another IP, and an account from the same IP, have their own budgets;
	// a token that names no account does not.
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "", "192.0.2.2:1"); rec.Code != http.StatusOK {
		t.Errorf("other IP: %d", rec.Code)
	}
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "user-7", ip); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("account: %d remaining %q", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "made-up", ip); rec.Code != http.StatusTooManyRequests {
		t.Errorf("invalid token from the limited IP: %d, want 429", rec.Code)
	}
	// The account's budget follows it from IP to IP.
	for i := range 2 {
		hit(h, http.MethodGet, "/api/v1/instance", "user-7", "198.51.100."+strconv.Itoa(i+1)+":1")
	}
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "user-7", "198.51.100.9:1"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("account past its limit from a new IP: %d, want 429", rec.Code)
	}
	// Sign-in is limited per IP even with a fresh token each time.
	const ip3 = "192.0.2.3:1"
	for i := range 2 {
		if rec := hit(h, http.MethodPost, "/oauth/token", "t"+strconv.Itoa(i), ip3); rec.Code != http.StatusOK {
			t.Fatalf("sign-in %d: %d", i, rec.Code)
		}
	}
	if rec := hit(h, http.MethodPost, "/oauth/token", "t9", ip3); rec.Code != http.StatusTooManyRequests {
		t.Errorf("3rd sign-in: %d, want 429", rec.Code)
	}
	// Health checks are not API requests.
	if rec := hit(h, http.MethodGet, "/healthz", "", ip); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Limit") != "" {
		t.Errorf("/healthz: %d %v", rec.Code, rec.Header())
	}
}

func TestRateLimitMemory(t *testing.T) {
	exerciseLimits(t, ratelimit.NewMemory())
}

// TestJunkTokensLeaveNoKeys sends many requests with made-up bearer tokens
// from one IP: they share that IP's one counter instead of leaving a
// counter each behind (the key is chosen before any store sees it, so this
// holds for every store).
func TestJunkTokensLeaveNoKeys(t *testing.T) {
	mem := ratelimit.NewMemory()
	h := limited(t, RateLimit{Limit: 100, Window: time.Minute, Store: mem})
	codes := map[int]int{}
	for range 300 {
		codes[hit(h, http.MethodGet, "/api/v1/timelines/home", rand.Text(), "192.0.2.1:1").Code]++
	}
	if codes[http.StatusOK] != 100 || codes[http.StatusTooManyRequests] != 200 {
		t.Errorf("answers %v, want 100 passed and 200 limited", codes)
	}
	if n := mem.Len(); n != 1 {
		t.Errorf("%d keys held after 300 junk tokens from one IP, want 1", n)
	}
}

// TestRateLimitKeys checks what is counted, and against what.
func TestRateLimitKeys(t *testing.T) {
	h := limited(t, RateLimit{Limit: 2, Window: time.Minute, AppsLimit: 1})
	tests := []struct {
		name          string
		method, path  string
		first, second string // remote addresses
		sameBudget    bool
	}{
		{"IPv6 addresses share their /64", "GET", "/api/v1/instance", "[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:1", true},
		{"another /64 is another client", "GET", "/api/v1/instance", "[2001:db8:1:3::1]:1", "[2001:db8:1:4::1]:1", false},
		{"IPv4 addresses are their own", "GET", "/api/v1/instance", "192.0.2.10:1", "192.0.2.11:1", false},
		{"a mapped IPv4 address is the IPv4 address", "GET", "/api/v1/instance", "[::ffff:192.0.2.12]:1", "192.0.2.12:2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hit(h, tt.method, tt.path, "", tt.first)
			hit(h, tt.method, tt.path, "", tt.first)
			got := hit(h, tt.method, tt.path, "", tt.second).Code == http.StatusTooManyRequests
			if got != tt.sameBudget {
				t.Errorf("third request from %s limited = %v, want %v", tt.second, got, tt.sameBudget)
			}
		})
	}
	t.Run("app registration has its own rule", func(t *testing.T) {
		const ip = "192.0.2.30:1"
		if rec := hit(h, http.MethodPost, "/api/v1/apps", "", ip); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Limit") != "1" {
			t.Fatalf("first app: %d limit %q, want 200 under the apps rule", rec.Code, rec.Header().Get("X-RateLimit-Limit"))
		}
		if rec := hit(h, http.MethodPost, "/api/v1/apps", "user-3", ip); rec.Code != http.StatusTooManyRequests {
			t.Fatalf("second app, even signed in: %d, want 429", rec.Code)
		}
	})
}

func TestClientIP(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		remote, xff string
		trusted     []netip.Prefix
		want        string
	}{
		{"203.0.113.5:1", "1.2.3.4", nil, "203.0.113.5"},       // untrusted: XFF ignored
		{"10.1.1.1:1", "1.2.3.4", nil, "10.1.1.1"},             // no proxies configured
		{"10.1.1.1:1", "6.6.6.6, 1.2.3.4", proxies, "1.2.3.4"}, // rightmost untrusted hop
		{"10.1.1.1:1", "1.2.3.4, 192.0.2.7, 10.2.2.2", proxies, "1.2.3.4"},
		{"10.1.1.1:1", "", proxies, "10.1.1.1"},
		{"10.1.1.1:1", "garbage", proxies, "10.1.1.1"},
		{"[::ffff:203.0.113.5]:1", "", nil, "203.0.113.5"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = c.remote
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(req, c.trusted); got != c.want {
			t.Errorf("clientIP(%s, XFF %q) = %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("nonsense"); err == nil {
		t.Error("ParseTrustedProxies accepted nonsense")
	}
}

// TestRateLimitByAccount runs the limiter in the real router, behind the
// Mastodon handler's Identify: a valid user token counts against its
// account, a made-up one against the client IP, and a CORS preflight
// against nothing.
func TestRateLimitByAccount(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: RateLimit{Limit: 2, Window: time.Minute}})
	alice := s.userToken(t, "alice")
	req := func(token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/timelines/home", nil)
		r.RemoteAddr = "192.0.2.1:1"
		r.Header.Set("Authorization", "Bearer "+token)
		return s.serve(t, r)
	}
	for range 5 {
		r := httptest.NewRequest(http.MethodOptions, "/api/v1/timelines/home", nil)
		r.RemoteAddr = "192.0.2.1:1"
		r.Header.Set("Origin", "https://elk.example")
		r.Header.Set("Access-Control-Request-Method", "GET")
		if rec := s.serve(t, r); rec.Code != http.StatusNoContent || rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatalf("preflight: %d %v, want 204 outside the rate limit", rec.Code, rec.Header())
		}
	}
	for i, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
		if rec := req(rand.Text()); rec.Code != want {
			t.Fatalf("made-up token %d: %d, want %d", i, rec.Code, want)
		}
	}
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		if rec := req(alice); rec.Code != want {
			t.Fatalf("alice's request %d: %d, want %d: %s", i, rec.Code, want, rec.Body)
		}
	}
}
