// Package tracing sets up OpenTelemetry tracing for the server and gives the
// other packages the few helpers they share: the tracer every span comes
// from and the SQL span both stores start around a statement.
//
// Tracing is off by default: without an OTLP endpoint the global tracer
// provider stays OpenTelemetry's no-op one, so spans cost a context lookup.
// Spans that would only add detail (SQL statements, index calls) start only
// inside a recording span, so a sampled-out request pays nothing for them
// and background work does not create stray root spans.
//
// Instrumentation lives with what it measures: HTTP spans in package api
// (they need chi's route pattern), SQL spans in store/sqlite (a driver
// wrapper) and store/postgres (a pgx tracer), index spans in search, and
// the plugin call in policy and pluginsdk (otelgrpc, which carries the trace
// context into the plugin process). Work done later for a request (the
// outbox relay redelivering a status) stores the request's TraceParent and
// links its own trace to it with LinkTo.
package tracing
