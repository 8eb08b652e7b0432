package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestQuerySummary(t *testing.T) {
	for _, c := range []struct{ query, want string }{
		{"SELECT id, text FROM statuses WHERE id = $1", "SELECT statuses"},
		{"\n\t select * from \"accounts\" where id = ?", "SELECT accounts"},
		{"INSERT INTO notifications (id) VALUES (?)", "INSERT notifications"},
		{"UPDATE accounts SET statuses_count = statuses_count + 1", "UPDATE accounts"},
		{"DELETE FROM favourites WHERE status_id = ?", "DELETE favourites"},
		{"WITH r AS (SELECT 1) SELECT * FROM statuses", "SELECT statuses"},
		{"begin", "BEGIN"},
		{"COMMIT", "COMMIT"},
		{"", "SQL"},
		{"SELECT 1", "SELECT"},
	} {
		if got := QuerySummary(c.query); got != c.want {
			t.Errorf("QuerySummary(%q) = %q, want %q", c.query, got, c.want)
		}
	}
}

// TestStartSQLOnlyInsideRecordingSpan checks the cost rule: a statement
// outside a recording span starts nothing, one inside gets a child span
// carrying the text with its placeholders.
func TestStartSQLOnlyInsideRecordingSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	Install(tp)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	_, span := StartSQL(context.Background(), "sqlite", "SELECT 1")
	if span.IsRecording() {
		t.Fatal("a statement outside any span started a recording span")
	}
	span.End()

	ctx, parent := Tracer().Start(context.Background(), "request")
	_, span = StartSQL(ctx, "sqlite", "SELECT id FROM statuses WHERE id = ?")
	span.End()
	parent.End()
	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans ended, want 2", len(ended))
	}
	sql := ended[0]
	if sql.Name() != "SELECT statuses" || sql.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("SQL span %q with parent %v, want \"SELECT statuses\" under the request", sql.Name(), sql.Parent().SpanID())
	}
	found := false
	for _, a := range sql.Attributes() {
		if a.Key == "db.query.text" && a.Value.AsString() == "SELECT id FROM statuses WHERE id = ?" {
			found = true
		}
	}
	if !found {
		t.Errorf("SQL span attributes %v lack the statement text", sql.Attributes())
	}
}

// Tracer follows the installed provider: a tracer kept from an earlier
// provider would send spans where nobody records them.
func TestTracerFollowsInstalledProvider(t *testing.T) {
	for range 2 {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		Install(tp)
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		_, span := Tracer().Start(context.Background(), "request")
		span.End()
		if n := len(rec.Ended()); n != 1 {
			t.Fatalf("the installed provider recorded %d spans, want 1", n)
		}
	}
}
