package tracing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Name is the instrumentation scope of every span Starling starts.
const Name = "github.com/starling-social/starling"

// Tracer returns the tracer of the global provider. The provider is looked
// up per call, so one installed later (by Setup, or a test) is used; its
// tracer is kept, because asking otel's default provider for one takes a
// lock that every request contended for.
func Tracer() trace.Tracer {
	p := otel.GetTracerProvider()
	if c := cached.Load(); c != nil && c.provider == p {
		return c.tracer
	}
	t := p.Tracer(Name)
	cached.Store(&providerTracer{p, t})
	return t
}

type providerTracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

var cached atomic.Pointer[providerTracer]

// Config says where spans go.
type Config struct {
	// Endpoint is the OTLP/HTTP collector URL (http://host:4318); empty
	// turns tracing off.
	Endpoint string
	// SampleRatio is the share of new traces recorded (0..1). A request
	// carrying a sampled W3C traceparent is recorded whatever the ratio,
	// so a caller that traces keeps one trace across services.
	SampleRatio float64
	// ServiceName names this process in the traces (service.name).
	ServiceName string
	// Version is the service.version resource attribute.
	Version string
}

// Validate checks the configuration before anything starts.
func (c Config) Validate() error {
	if c.SampleRatio < 0 || c.SampleRatio > 1 {
		return fmt.Errorf("trace sample ratio %v: want 0 to 1", c.SampleRatio)
	}
	if c.Endpoint != "" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
		return fmt.Errorf("otlp endpoint %q: want an http:// or https:// URL", c.Endpoint)
	}
	return nil
}

// Setup installs the global tracer provider and the W3C trace-context
// propagator when c.Endpoint is set, and returns the function that flushes
// and stops it. With no endpoint it installs nothing and returns a no-op.
func Setup(ctx context.Context, c Config) (shutdown func(context.Context) error, err error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(c.Endpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("otlp exporter: %w", err)
	}
	name := c.ServiceName
	if name == "" {
		name = "starling"
	}
	res := resource.NewSchemaless(semconv.ServiceName(name), semconv.ServiceVersion(c.Version))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.SampleRatio))),
	)
	Install(tp)
	return tp.Shutdown, nil
}

// Install makes tp the global provider and sets the W3C trace-context and
// baggage propagators (incoming traceparent headers are honoured, and the
// context is carried into plugin calls). Tests install an SDK provider with
// an in-memory recorder through it.
func Install(tp trace.TracerProvider) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
}

// Child starts a span named name only inside a recording span; otherwise
// it returns ctx and a span that records nothing. Detail spans (SQL, index)
// use it so sampled-out requests and background loops pay nothing.
func Child(ctx context.Context, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		// A span of its own that records nothing, never the parent: the
		// caller ends what it gets.
		return ctx, trace.SpanFromContext(context.Background())
	}
	return Tracer().Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// End records err (if any) on span and ends it.
func End(span trace.Span, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
