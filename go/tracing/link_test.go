package tracing

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestTraceParentRoundTrip(t *testing.T) {
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sampled := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	tp := TraceParent(sampled)
	if tp != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" {
		t.Fatalf("TraceParent = %q", tp)
	}
	link, ok := LinkTo(tp)
	if !ok || link.SpanContext.TraceID() != tid || link.SpanContext.SpanID() != sid {
		t.Errorf("LinkTo(%q) = %v, %v", tp, link.SpanContext, ok)
	}
	unsampled := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	if tp := TraceParent(unsampled); tp != "" {
		t.Errorf("TraceParent of an unsampled span = %q, want none", tp)
	}
	for _, bad := range []string{"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"} {
		if _, ok := LinkTo(bad); ok {
			t.Errorf("LinkTo(%q) made a link", bad)
		}
	}
}
