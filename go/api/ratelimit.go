package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/starling-social/starling/go/ratelimit"
)

// RateLimit configures the rate-limit middleware.
type RateLimit struct {
	// Limit is the requests allowed per Window per account, or per client
	// IP for requests without a valid user token. 0 disables rate limiting.
	Limit  int
	Window time.Duration
	// AuthLimit is the requests allowed per Window per client IP to the
	// endpoints that guess passwords or create accounts (POST /oauth/token,
	// POST /oauth/authorize, POST /api/v1/accounts); 0 disables that rule.
	AuthLimit int
	// AppsLimit is the app registrations (POST /api/v1/apps, which needs
	// no token and stores what it is sent) allowed per Window per client
	// IP; 0 disables that rule.
	AppsLimit int
	// Store holds the counters; nil means an in-process ratelimit.Memory.
	Store ratelimit.Store
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	// Empty: the client IP is always the connection's address.
	TrustedProxies []netip.Prefix
}

// DefaultRateLimit is Mastodon's: 300 requests per 5 minutes per account
// or per IP, and 25 per 5 minutes per IP for sign-in and sign-up; and ours
// for app registration, 25 per 5 minutes per IP.
func DefaultRateLimit() RateLimit {
	return RateLimit{Limit: 300, Window: 5 * time.Minute, AuthLimit: 25, AppsLimit: 25}
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
	cfg     RateLimit
	log     *slog.Logger
	account func(context.Context) (int64, bool)
	ipRules []ipRule
}

// ipRule is a limit per client IP on some requests, beside the general one.
type ipRule struct {
	name  string
	limit int
	match func(*http.Request) bool
}

// newRateLimiter checks cfg; a bad configuration fails at start. account
// names the account a request's token belongs to (set by an earlier
// middleware); nil, or false, counts the request against its client IP.
func newRateLimiter(cfg RateLimit, log *slog.Logger, account func(context.Context) (int64, bool)) (*rateLimiter, error) {
	if cfg.Limit < 0 || cfg.AuthLimit < 0 || cfg.AppsLimit < 0 {
		return nil, errors.New("rate limit: limits must not be negative")
	}
	if cfg.Limit > 0 && cfg.Window <= 0 {
		return nil, errors.New("rate limit: window must be positive")
	}
	if cfg.Store == nil {
		cfg.Store = ratelimit.NewMemory()
	}
	if account == nil {
		account = func(context.Context) (int64, bool) { return 0, false }
	}
	rl := &rateLimiter{cfg: cfg, log: log, account: account}
	for _, ru := range []ipRule{{"auth", cfg.AuthLimit, authPath}, {"apps", cfg.AppsLimit, appsPath}} {
		if ru.limit > 0 {
			rl.ipRules = append(rl.ipRules, ru)
		}
	}
	return rl, nil
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

// appsPath reports whether the request registers an app.
func appsPath(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/v1/apps"
}

// middleware counts the request under its key (the account of a valid user
// token, else the client IP, as Mastodon's rack-attack does: a made-up
// token must not buy a fresh budget, nor leave a counter behind), plus the
// client IP for the per-IP rules that match, sets the X-RateLimit headers
// of the rule closest to its limit, and answers 429 over a limit. If the
// store fails, the request is let through and the failure logged: an
// unreachable Redis must not take the API down.
func (rl *rateLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// CORS preflights never get here: cors answers them first.
		if rl.cfg.Limit == 0 || !limitedPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		client := clientKey(clientIP(r, rl.cfg.TrustedProxies))
		key := "ip:" + client
		if id, ok := rl.account(r.Context()); ok {
			key = "account:" + strconv.FormatInt(id, 10)
		}
		type rule struct {
			key   string
			limit int
		}
		rules := []rule{{key, rl.cfg.Limit}}
		for _, ru := range rl.ipRules {
			if ru.match(r) {
				rules = append(rules, rule{ru.name + ":" + client, ru.limit})
			}
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

// clientKey is what a client IP is counted as: the address itself for
// IPv4, its /64 for IPv6, since one subscriber is routed a whole /64 and
// could otherwise rotate through addresses past any per-IP limit.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() {
		return ip
	}
	p, _ := a.Prefix(64) // cannot fail: 64 bits fit in an IPv6 address
	return p.String()
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
