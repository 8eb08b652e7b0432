package pluginsdk

import (
	"context"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"google.golang.org/grpc/stats"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// TraceEndpointEnv names the variable through which the host passes its
// OTLP/HTTP collector URL to the plugin when the server traces. Serve then
// exports the plugin's spans there, so one trace holds the request in the
// server and the hook call inside the plugin.
const TraceEndpointEnv = "STARLING_PLUGIN_OTLP_ENDPOINT"

// TraceHandler is the gRPC stats handler both ends of a policy call use:
// the host's (server=false) injects the W3C trace context into the call,
// the plugin's (server=true) extracts it, so the ctx a hook receives
// carries the host's span (trace.SpanContextFromContext gives a plugin
// author its trace and span ids). Only Policy methods are traced, not
// go-plugin's own services (health, stdio, broker).
func TraceHandler(server bool) stats.Handler {
	opts := []otelgrpc.Option{
		otelgrpc.WithFilter(func(info *stats.RPCTagInfo) bool {
			return strings.HasPrefix(info.FullMethodName, "/"+proto.Policy_ServiceDesc.ServiceName+"/")
		}),
		otelgrpc.WithPropagators(propagation.TraceContext{}),
	}
	if server {
		return otelgrpc.NewServerHandler(opts...)
	}
	return otelgrpc.NewClientHandler(opts...)
}

// setupTracing installs a tracer provider exporting to the host's
// collector when the host passed one. It records only calls whose host
// span was sampled: the plugin never starts traces of its own.
func setupTracing(name string) func() {
	endpoint := os.Getenv(TraceEndpointEnv)
	if endpoint == "" {
		return func() {}
	}
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(strings.TrimRight(endpoint, "/")+"/v1/traces"))
	if err != nil {
		return func() {}
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("starling-plugin-"+name))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())),
	)
	otel.SetTracerProvider(tp)
	return func() { _ = tp.Shutdown(context.Background()) }
}
