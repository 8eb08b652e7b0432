package social

import (
	"slices"
	"strings"
)

// topScopes are Mastodon's top-level OAuth scopes; a granular scope is one of
// these, a colon and a resource ("write:statuses").
var topScopes = []string{"read", "write", "follow", "push", "profile", "admin:read", "admin:write"}

// ParseScopes splits a space-separated scope string, defaulting to "read" as
// Mastodon does, and reports the first unknown scope.
func ParseScopes(s string) ([]string, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return []string{"read"}, nil
	}
	var out []string
	for _, f := range fields {
		if !knownScope(f) {
			return nil, invalid("social.ParseScopes", "unknown scope: "+f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

func knownScope(s string) bool {
	if slices.Contains(topScopes, s) {
		return true
	}
	top, res, ok := strings.Cut(s, ":")
	if !ok || res == "" {
		return false
	}
	if top == "admin" {
		return false // admin scopes are listed whole above
	}
	return slices.Contains(topScopes, top)
}

// ScopeAllows reports whether a token's granted scopes cover the required
// one: "write" covers "write:statuses"; "follow" is the legacy alias that
// also covers the relationship parts of read and write.
func ScopeAllows(granted []string, required string) bool {
	top, _, _ := strings.Cut(required, ":")
	for _, g := range granted {
		if g == required || g == top {
			return true
		}
		if g == "follow" && (required == "write:follows" || required == "read:follows" ||
			required == "write:blocks" || required == "read:blocks" ||
			required == "write:mutes" || required == "read:mutes") {
			return true
		}
	}
	return false
}

// subsetOf reports whether every requested scope is covered by allowed.
func subsetOf(requested, allowed []string) bool {
	for _, r := range requested {
		if !ScopeAllows(allowed, r) {
			return false
		}
	}
	return true
}
