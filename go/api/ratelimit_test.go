package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func okHandler(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func limited(t *testing.T, cfg RateLimit) http.Handler {
	t.Helper()
	rl, err := newRateLimiter(cfg, slog.New(slog.DiscardHandler))
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
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// exerciseLimits runs the same checks over any store.
func exerciseLimits(t *testing.T, store LimitStore) {
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
	// Another IP, and a token from the same IP, have their own budgets.
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "", "192.0.2.2:1"); rec.Code != http.StatusOK {
		t.Errorf("other IP: %d", rec.Code)
	}
	if rec := hit(h, http.MethodGet, "/api/v1/instance", "tok", ip); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("token: %d remaining %q", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
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
	exerciseLimits(t, NewMemoryLimitStore())
}

func TestRateLimitRedis(t *testing.T) {
	url := os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS is not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "starling-test-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	exerciseLimits(t, NewRedisLimitStore(rdb, prefix))

	// Two limiters (two server processes) over one Redis share counts, and
	// every key carries an expiry.
	a := limited(t, RateLimit{Limit: 2, Window: time.Minute, Store: NewRedisLimitStore(rdb, prefix)})
	b2 := limited(t, RateLimit{Limit: 2, Window: time.Minute, Store: NewRedisLimitStore(rdb, prefix)})
	hit(a, http.MethodGet, "/api/v1/x", "shared", "192.0.2.9:1")
	hit(b2, http.MethodGet, "/api/v1/x", "shared", "192.0.2.9:1")
	if rec := hit(a, http.MethodGet, "/api/v1/x", "shared", "192.0.2.9:1"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("3rd request across two processes: %d, want 429", rec.Code)
	}
	keys, err := rdb.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v %v", keys, err)
	}
	for _, k := range keys {
		if ttl := rdb.PTTL(context.Background(), k).Val(); ttl <= 0 {
			t.Errorf("key %s has no expiry (%v)", k, ttl)
		}
	}
}

func TestMemoryLimitStoreEvicts(t *testing.T) {
	m := NewMemoryLimitStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	for i := range 100 {
		_, _, _ = m.Hit(context.Background(), strconv.Itoa(i), time.Minute)
	}
	now = now.Add(2 * time.Minute)
	_, _, _ = m.Hit(context.Background(), "late", time.Minute)
	if n := m.Len(); n != 1 {
		t.Errorf("after the windows expired, %d keys held, want 1", n)
	}
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
