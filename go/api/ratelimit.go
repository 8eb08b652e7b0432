package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// LimitStore counts hits per key in fixed windows that start at a key's
// first hit. Implementations must be safe for concurrent use.
type LimitStore interface {
	// Hit counts one request for key and returns the count in the current
	// window and when that window ends.
	Hit(ctx context.Context, key string, window time.Duration) (count int64, reset time.Time, err error)
}

// RateLimit configures the rate-limit middleware. Limits are Mastodon's
// defaults when built by DefaultRateLimit.
type RateLimit struct {
	// Limit is the requests allowed per Window per token, or per client IP
	// for requests without a token. 0 disables rate limiting.
	Limit  int
	Window time.Duration
	// AuthLimit is the requests allowed per Window per client IP to the
	// endpoints that guess passwords or create accounts (POST /oauth/token,
	// POST /oauth/authorize, POST /api/v1/accounts); 0 disables that rule.
	AuthLimit int
	// Store holds the counters; nil means an in-process MemoryLimitStore.
	Store LimitStore
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	// Empty: the client IP is always the connection's address.
	TrustedProxies []netip.Prefix
}

// DefaultRateLimit is Mastodon's: 300 requests per 5 minutes per token or
// per IP, and 25 per 5 minutes per IP for sign-in and sign-up.
func DefaultRateLimit() RateLimit {
	return RateLimit{Limit: 300, Window: 5 * time.Minute, AuthLimit: 25}
}

// ParseTrustedProxies parses a comma-separated list of CIDRs or addresses.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("trusted proxy %q: not a CIDR or an IP address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// rateLimiter is the middleware's state.
type rateLimiter struct {
	cfg RateLimit
	log *slog.Logger
}

// newRateLimiter checks cfg; a bad configuration fails at start.
func newRateLimiter(cfg RateLimit, log *slog.Logger) (*rateLimiter, error) {
	if cfg.Limit < 0 || cfg.AuthLimit < 0 {
		return nil, errors.New("rate limit: limits must not be negative")
	}
	if cfg.Limit > 0 && cfg.Window <= 0 {
		return nil, errors.New("rate limit: window must be positive")
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryLimitStore()
	}
	return &rateLimiter{cfg: cfg, log: log}, nil
}

// limitedPath reports whether the path is API surface Mastodon limits.
func limitedPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/oauth/")
}

// authPath reports whether the request guesses credentials or signs up.
func authPath(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch r.URL.Path {
	case "/oauth/token", "/oauth/authorize", "/api/v1/accounts":
		return true
	}
	return false
}

// middleware counts the request under its key (the token, else the client
// IP; plus the client IP for sign-in and sign-up), sets the X-RateLimit
// headers of the rule closest to its limit, and answers 429 over a limit. If
// the store fails, the request is let through and the failure logged: an
// unreachable Redis must not take the API down.
func (rl *rateLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rl.cfg.Limit == 0 || !limitedPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ip := clientIP(r, rl.cfg.TrustedProxies)
		key := "ip:" + ip
		if tok := bearerToken(r); tok != "" {
			// Hashed: the key may be stored in Redis and must not be a credential.
			sum := sha256.Sum256([]byte(tok))
			key = "token:" + hex.EncodeToString(sum[:16])
		}
		type rule struct {
			key   string
			limit int
		}
		rules := []rule{{key, rl.cfg.Limit}}
		if rl.cfg.AuthLimit > 0 && authPath(r) {
			rules = append(rules, rule{"auth:" + ip, rl.cfg.AuthLimit})
		}
		var (
			shown     bool
			remaining int64
			limit     int
			reset     time.Time
			exceeded  bool
		)
		for _, ru := range rules {
			n, rs, err := rl.cfg.Store.Hit(r.Context(), ru.key, rl.cfg.Window)
			if err != nil {
				rl.log.WarnContext(r.Context(), "rate limit store failed; request allowed", "err", err)
				continue
			}
			left := max(int64(ru.limit)-n, 0)
			if !shown || left < remaining {
				shown, remaining, limit, reset = true, left, ru.limit, rs
			}
			if n > int64(ru.limit) {
				exceeded = true
			}
		}
		if shown {
			h := w.Header()
			h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			h.Set("X-RateLimit-Remaining", strconv.FormatInt(remaining, 10))
			h.Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000000Z"))
		}
		if exceeded {
			w.Header().Set("Retry-After", strconv.Itoa(int(max(time.Until(reset).Seconds(), 1))))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many requests"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken is the token a request presents, as the Mastodon handler
// reads it (header, else the access_token query parameter).
func bearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return r.URL.Query().Get("access_token")
}

// clientIP is the connection's address, unless that is a trusted proxy:
// then X-Forwarded-For is read right to left, skipping trusted proxies, and
// the first address that is not one is the client. Reading from the right
// matters: the left part is whatever the client claimed.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !isTrusted(addr, trusted) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing further left
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a.String()
		}
		addr = a
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// MemoryLimitStore is an in-process LimitStore: right for one server
// process. Expired windows are swept at most once per sweep interval, so
// memory is bounded by the keys seen in one window.
type MemoryLimitStore struct {
	mu        sync.Mutex
	windows   map[string]*memWindow
	nextSweep time.Time
	now       func() time.Time
}

type memWindow struct {
	count int64
	reset time.Time
}

// NewMemoryLimitStore returns an empty in-process store.
func NewMemoryLimitStore() *MemoryLimitStore {
	return &MemoryLimitStore{windows: map[string]*memWindow{}, now: time.Now}
}

// Hit implements LimitStore.
func (m *MemoryLimitStore) Hit(_ context.Context, key string, window time.Duration) (int64, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if !now.Before(m.nextSweep) {
		for k, w := range m.windows {
			if !now.Before(w.reset) {
				delete(m.windows, k)
			}
		}
		m.nextSweep = now.Add(min(window, time.Minute))
	}
	w := m.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &memWindow{reset: now.Add(window)}
		m.windows[key] = w
	}
	w.count++
	return w.count, w.reset, nil
}

// Len is the number of keys held (for tests and metrics).
func (m *MemoryLimitStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.windows)
}

// RedisLimitStore keeps the counters in Redis, so every server process
// shares them. A window starts at a key's first hit and ends when Redis
// expires the key, so the processes' clocks need not agree.
type RedisLimitStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisLimitStore returns a store over rdb; prefix separates deployments
// (and tests) sharing one Redis.
func NewRedisLimitStore(rdb redis.UniversalClient, prefix string) *RedisLimitStore {
	return &RedisLimitStore{rdb: rdb, prefix: prefix}
}

// hitScript increments the counter and starts its window on the first hit,
// atomically: INCR then PEXPIRE as two commands could leave a key without
// expiry (and so a client blocked forever) if the second were lost.
var hitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`)

// Hit implements LimitStore. The key is wrapped in a hash tag, {rl:<key>},
// so it maps to one Redis Cluster slot whatever prefix is added.
func (s *RedisLimitStore) Hit(ctx context.Context, key string, window time.Duration) (int64, time.Time, error) {
	k := s.prefix + "{rl:" + key + "}"
	res, err := hitScript.Run(ctx, s.rdb, []string{k}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redis rate limit: %w", err)
	}
	if len(res) != 2 {
		return 0, time.Time{}, fmt.Errorf("redis rate limit: script returned %d values", len(res))
	}
	return res[0], time.Now().Add(time.Duration(res[1]) * time.Millisecond), nil
}
