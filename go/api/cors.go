package api

import (
	"net/http"
	"strconv"
	"strings"
)

// CORS as Mastodon sends it (rack-cors in config/initializers/cors.rb):
// any origin, never credentials, on the API and the endpoints a browser app
// calls before it has a token. Without it a browser app on another origin
// cannot read a single answer.
//
// Allow-Origin is "*" on every response of these paths, not only when the
// request names an Origin, so a shared cache can never hand a browser a copy
// without it (no Vary: Origin needed).

// corsRule is what one path family allows.
type corsRule struct {
	prefix  string // a path prefix, or an exact path when exact is set
	exact   bool
	methods string // Access-Control-Allow-Methods on a preflight
}

// corsRules are Mastodon's resources, plus /oauth/revoke (which browser
// apps call on log-out) and /nodeinfo/* (read by clients detecting the
// server's software).
var corsRules = []corsRule{
	{prefix: "/api/", methods: "GET, POST, PUT, PATCH, DELETE"},
	{prefix: "/oauth/token", exact: true, methods: "POST"},
	{prefix: "/oauth/revoke", exact: true, methods: "POST"},
	{prefix: "/.well-known/", methods: "GET"},
	{prefix: "/nodeinfo/", methods: "GET"},
}

const (
	// corsExposed are the response headers a browser app may read: without
	// Link, paginators stop after the first page.
	corsExposed = "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-Id"
	// corsMaxAge is how long a browser may reuse a preflight, in seconds
	// (rack-cors' default, and Chromium's cap).
	corsMaxAge = 7200
	// maxRequestHeaders bounds the Access-Control-Request-Headers value
	// echoed back; a browser sends a few names, never kilobytes.
	maxRequestHeaders = 1024
)

func corsRuleFor(path string) (corsRule, bool) {
	for _, r := range corsRules {
		if (r.exact && path == r.prefix) || (!r.exact && strings.HasPrefix(path, r.prefix)) {
			return r, true
		}
	}
	return corsRule{}, false
}

// cors adds the CORS headers on the paths above and answers their
// preflights itself with 204. It must sit before the rate limiter: a
// preflight carries no token and is not the app's request, so it is never
// counted against anyone's limit.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule, ok := corsRuleFor(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			h.Set("Access-Control-Expose-Headers", corsExposed)
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Methods", rule.methods)
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" && validHeaderList(req) {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
		w.WriteHeader(http.StatusNoContent)
	})
}

// validHeaderList reports whether s is a short comma-separated list of
// header names (RFC 9110 tokens), so only that is ever echoed back.
func validHeaderList(s string) bool {
	if len(s) > maxRequestHeaders {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~, ", c):
		default:
			return false
		}
	}
	return true
}
