// Package policy is the host side of Starling's policy plugins: it loads the
// operator's manifest, starts and verifies each plugin binary, and asks the
// plugins about content before it is stored (Host.CheckStatus).
//
// A plugin is a separate process speaking the protocol in package pluginsdk
// over hashicorp/go-plugin's gRPC transport. For every enabled plugin, NewHost
// checks the binary's SHA-256 against the manifest, handshakes (with
// automatic mutual TLS), checks the plugin's Info against the manifest,
// configures it and health-checks it; only then are calls routed to it. Any
// failure there makes NewHost fail: the server refuses to start with a broken
// manifest rather than run without the moderation the operator configured.
//
// Every call has the plugin's timeout. A failed call (timeout, crash) is
// skipped when the plugin's fail mode is "open" and refuses the request with
// an error wrapping ErrUnavailable when it is "closed". Decisions are counted
// (Prometheus, starling_policy_decisions_total) and every decision other than
// allow is written to the audit log.
//
// Callers: the api layer calls Host.CheckStatus before social stores a
// status, and maps ErrUnavailable to 503. The `starling plugins` commands use
// LoadManifest, Pin and Manifest.Save to pin binaries, and Host.Plugins to
// list them. Plugin authors want package pluginsdk instead.
package policy
