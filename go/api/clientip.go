package api

import (
	"net/http"
	"net/netip"
)

// ClientIP returns how the router names a request's client: the
// connection's address, or behind trusted proxies the address they saw
// (clientIP). Handlers that count per client, such as the streaming
// connection cap, use it so they agree with the rate limits.
func ClientIP(trusted []netip.Prefix) func(*http.Request) string {
	return func(r *http.Request) string { return clientIP(r, trusted) }
}
