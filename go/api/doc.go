// Package api assembles Starling's public HTTP handler: the middleware every
// request passes (request ID, panic recovery, token identification, rate
// limits over package ratelimit's counters, body limit, access log,
// metrics), the operational endpoints (/healthz, /readyz) and the Mastodon
// API from package api/mastodon. The admin listener is api/admin; it serves
// the metrics recorded here at /metrics.
package api
