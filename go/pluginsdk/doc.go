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
//   - the [Policy] interface (Info, Configure) every plugin implements, and
//     one interface per hook it serves: [StatusChecker] (check_status, on
//     create and edit), [AccountChecker] (check_account, at sign-up and
//     profile changes) and [Ranker] (rank, one batched call with candidate
//     features, scores or an order back). Every method is shaped
//     Method(ctx, *Request) (*Response, error), so fields can be added to
//     the structs without breaking plugins;
//   - [GRPCPlugin], the go-plugin adapter that carries them over gRPC;
//   - [Serve], which a plugin's main calls;
//   - [IsCanary], which tells the host's check of a fresh version apart
//     from real calls;
//   - package textnorm, to normalize text before matching words in it.
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
// where myPolicy implements Policy and the hook interfaces it lists in
// Info. example/capsguard is a complete, tested plugin with a step-by-step
// guide (README.md) for an author who has never seen Starling.
//
// Plugins must never write to stdout: go-plugin's handshake uses it (the
// host logs and ignores anything printed there later). Log with the hclog
// logger Serve passes through [WithLogger] or creates itself; it writes to
// stderr, which the host captures and forwards to its own log.
//
// Tracing: each hook's ctx carries the host's W3C trace context (the gRPC
// metadata's traceparent), so trace.SpanContextFromContext(ctx) gives the
// request's trace id, and spans a plugin starts from ctx with
// otel.Tracer(…) join the request's trace. When the server traces, it
// passes its collector URL in TraceEndpointEnv and Serve exports the
// plugin's spans there; otherwise they cost nothing.
//
// The wire protocol is internal/proto/policy.proto. Plugins in other
// languages implement that service directly.
package pluginsdk
