package api

import (
	"net/http"
	"net/netip"
)

// ClientKey returns how the router names a request's client for counts
// per client: its address (behind trusted proxies, the address they saw),
// an IPv6 client by its /64 (clientKey). The streaming connection cap uses
// it, so it counts clients as the rate limits do.
func ClientKey(trusted []netip.Prefix) func(*http.Request) string {
	return func(r *http.Request) string { return clientKey(clientIP(r, trusted)) }
}
