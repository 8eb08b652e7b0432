package tracing

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// maxQueryText bounds the statement text kept on a span.
const maxQueryText = 2048

// StartSQL starts a client span for one SQL statement inside a recording
// span. The span is named by the statement's summary ("SELECT statuses"),
// and carries the statement text with its placeholders: never parameter
// values, which may be passwords or private posts.
func StartSQL(ctx context.Context, system, query string) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, trace.SpanFromContext(context.Background())
	}
	text := query
	if len(text) > maxQueryText {
		text = text[:maxQueryText]
	}
	return Child(ctx, QuerySummary(query), trace.SpanKindClient,
		attribute.String("db.system.name", system),
		attribute.String("db.query.text", text))
}

// QuerySummary names a statement by its verb and first table, as
// OpenTelemetry's database conventions suggest ("SELECT statuses",
// "INSERT notifications", "BEGIN"). It reads only the start of the text.
func QuerySummary(query string) string {
	words := strings.Fields(query[:min(len(query), 512)])
	if len(words) == 0 {
		return "SQL"
	}
	verb := strings.ToUpper(words[0])
	if verb == "WITH" {
		// A common table expression: the main verb comes later.
		for _, w := range words[1:] {
			switch u := strings.ToUpper(w); u {
			case "SELECT", "INSERT", "UPDATE", "DELETE":
				verb = u
			}
			if verb != "WITH" {
				break
			}
		}
	}
	var after string
	switch verb {
	case "SELECT", "DELETE":
		after = "FROM"
	case "INSERT", "REPLACE":
		after = "INTO"
	case "UPDATE":
		return verb + tableAt(words, 1)
	default:
		return verb
	}
	for i, w := range words {
		if strings.EqualFold(w, after) {
			return verb + tableAt(words, i+1)
		}
	}
	return verb
}

func tableAt(words []string, i int) string {
	if i >= len(words) {
		return ""
	}
	t := strings.Trim(words[i], `"(),;`)
	if t == "" || len(t) > 64 {
		return ""
	}
	return " " + t
}
