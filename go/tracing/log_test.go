package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestLogHandlerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	for _, c := range []struct {
		name    string
		flags   trace.TraceFlags
		wantIDs bool
	}{{"sampled", trace.FlagsSampled, true}, {"not sampled", 0, false}} {
		buf.Reset()
		ctx := trace.ContextWithSpanContext(context.Background(),
			trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: c.flags}))
		log.InfoContext(ctx, "hello")
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		got := rec["trace_id"] == tid.String() && rec["span_id"] == sid.String()
		if got != c.wantIDs || rec["component"] != "test" {
			t.Errorf("%s: record %v", c.name, rec)
		}
	}
}
