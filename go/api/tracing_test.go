package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/starling-social/starling/go/tracing"
)

// TestTraceRequests checks the server span of a request: named by the
// route pattern (never the path with its id), continuing the caller's
// traceparent, with the status code; and the latency histogram keeps the
// trace id as an exemplar. Without a traceparent and with the sampler
// saying no, nothing is recorded and no exemplar is kept.
func TestTraceRequests(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracing.Install(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample()))))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	s := newTestServer(t, Options{})

	s.get(t, "/api/v1/statuses/123") // not sampled: no span, no exemplar
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans recorded for an unsampled request", n)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req := httptest.NewRequest(http.MethodGet, "/api/v1/statuses/456", nil)
	req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	code := s.serve(t, req).Code

	var servers []sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.SpanKind() == trace.SpanKindServer {
			servers = append(servers, sp)
		}
	}
	if len(servers) != 1 {
		t.Fatalf("%d server spans, want one", len(servers))
	}
	sp := servers[0]
	if sp.Name() != "GET /api/v1/statuses/{id}" || sp.SpanContext().TraceID().String() != traceID ||
		sp.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("span %q trace %s parent %s: want the route pattern under the caller's span", sp.Name(), sp.SpanContext().TraceID(), sp.Parent().SpanID())
	}
	attrs := map[string]string{}
	for _, a := range sp.Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	if attrs["http.route"] != "/api/v1/statuses/{id}" || attrs["http.response.status_code"] != strconv.Itoa(code) {
		t.Errorf("attributes %v; want http.route and status %d", attrs, code)
	}

	families, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exemplars := 0
	for _, f := range families {
		if f.GetName() != "starling_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, b := range m.GetHistogram().GetBucket() {
				if e := b.GetExemplar(); e != nil {
					exemplars++
					if len(e.GetLabel()) != 1 || e.GetLabel()[0].GetValue() != traceID {
						t.Errorf("exemplar %v, want trace_id %s", e.GetLabel(), traceID)
					}
				}
			}
		}
	}
	if exemplars != 1 {
		t.Errorf("%d exemplars, want the sampled request's one", exemplars)
	}
}
