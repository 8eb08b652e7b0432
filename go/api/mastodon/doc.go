// Package mastodon serves the Mastodon client API: the routes, one handler
// per endpoint, the request decoding and the conversion of domain records to
// Mastodon's JSON entities (convert_*.go, the only place that knows their
// shape). Handlers decode, make one call into package social, and encode;
// domain rules live in social.
package mastodon
