// Package policy is the host side of Starling's policy plugins: it loads the
// operator's manifest, starts, verifies and supervises each plugin process,
// swaps versions while the server runs, and asks the plugins about content
// (CheckStatus, CheckAccount) and ranking (Rank).
//
// A plugin is a separate process speaking the protocol in package pluginsdk
// over hashicorp/go-plugin's gRPC transport. Each manifest plugin has a
// slot: its current instance (one process, one version), a supervisor and
// call statistics. Starting an instance verifies the SHA-256 of exactly the
// file that is executed (a private copy, see stager), handshakes over a
// Unix socket in the host's private 0700 directory (on Linux each end
// checks the other's process through the kernel's peer credentials instead
// of mutual TLS; elsewhere go-plugin's automatic mutual TLS: see
// pluginsdk.HostDialOptions), checks Info against the manifest (name, version,
// hooks), configures, health-checks and makes one canary call per hook;
// only then is the instance made current. Plugins are started with a
// parent-death signal, so they never outlive the server.
//
// Hot swap (Reload, SetEnabled, Apply, Watch) starts the new version the
// same way, switches the slot to it atomically, drains the old one (calls
// hold an instance shared; retiring it waits for them) and stops it. A
// failed step leaves the old version serving and returns an error naming
// the step. The supervisor restarts a process that exits or stops
// answering health checks, at once and then with backoff; meanwhile the
// plugin's fail mode applies and Ready (for /readyz) and the
// starling_policy_plugin_up gauge report it.
//
// Every call has the plugin's per-hook timeout. A failed call (timeout,
// crash, restarting) is skipped when the plugin's fail mode is "open" and
// refuses the request with an error wrapping ErrUnavailable when it is
// "closed". Decisions are counted (starling_policy_decisions_total) and
// every decision other than allow goes to the AuditLog with the plugin's
// name and version.
//
// Callers: cmd/starling wires the Host into the social service (through
// package moderation's adapter to social.Moderator and social.Ranker), into
// the admin listener, and Ready into /readyz. Plugin authors want package
// pluginsdk instead.
package policy
