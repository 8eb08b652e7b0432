package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/tracing"
)

// queryTracer gives every statement run inside a recording span a child
// span (see tracing.StartSQL). pgx runs BEGIN and COMMIT as statements
// too, so a transaction shows as its statements between those two.
type queryTracer struct{}

var _ pgx.QueryTracer = queryTracer{}

type spanKey struct{}

func (queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	sctx, span := tracing.StartSQL(ctx, "postgresql", data.SQL)
	if !span.IsRecording() {
		return ctx
	}
	return context.WithValue(sctx, spanKey{}, span)
}

func (queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if span, ok := ctx.Value(spanKey{}).(trace.Span); ok {
		tracing.End(span, data.Err)
	}
}
