// Package pluginsdk is what a Starling policy plugin imports: the whole
// contract between the server (the host, package policy) and a plugin
// binary.
//
// A plugin is a separate program that the host starts, verifies (SHA-256
// from the operator's manifest), handshakes with over hashicorp/go-plugin's
// gRPC transport, configures, health-checks and only then routes calls to.
// The contract is:
//
//   - [Handshake] and [PluginKey], which host and plugin must agree on;
//   - the [Policy] interface, one method per hook, each shaped
//     Method(ctx, *Request) (*Response, error) so fields can be added to the
//     structs without breaking plugins;
//   - [GRPCPlugin], the go-plugin adapter that carries Policy over gRPC;
//   - [Serve], which a plugin's main calls.
//
// Decisions are responses, not errors: a plugin that rejects a status returns
// a [CheckStatusResponse] with [VerdictReject] and a reason. A non-nil error
// means the plugin or the transport failed, and the host applies the
// plugin's configured fail mode (open: skip it, closed: refuse the request).
//
// A minimal plugin:
//
//	func main() { pluginsdk.Serve(&myPolicy{}) }
//
// where myPolicy implements Policy. Plugins must never write to stdout:
// go-plugin's handshake uses it. Log with the hclog logger Serve passes
// through [WithLogger] or creates itself; it writes to stderr, which the host
// captures and forwards to its own log.
//
// The wire protocol is internal/proto/policy.proto. Plugins in other
// languages implement that service directly.
package pluginsdk
