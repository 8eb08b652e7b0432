package pluginsdk

import (
	"context"
	"net"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// tracePolicy records the span context its hook's ctx carries.
type tracePolicy struct {
	echoPolicy
	seen trace.SpanContext
}

func (p *tracePolicy) CheckStatus(ctx context.Context, req *CheckStatusRequest) (*CheckStatusResponse, error) {
	p.seen = trace.SpanContextFromContext(ctx)
	return &CheckStatusResponse{Verdict: VerdictAllow}, nil
}

// TestTraceContextReachesTheHook: with TraceHandler on both ends, as the
// host and Serve set them, the hook's ctx carries the caller's trace, so
// a plugin author can read the trace id or start spans under it; without
// a trace in the caller's ctx the hook sees none.
func TestTraceContextReachesTheHook(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	impl := &tracePolicy{}
	srv := grpc.NewServer(grpc.StatsHandler(TraceHandler(true)))
	proto.RegisterPolicyServer(srv, &grpcServer{impl: impl})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(TraceHandler(false)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &grpcClient{client: proto.NewPolicyClient(conn)}

	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	if _, err := c.CheckStatus(ctx, &CheckStatusRequest{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if impl.seen.TraceID() != tid || !impl.seen.IsSampled() {
		t.Errorf("the hook saw trace %s (sampled %v), want the caller's %s", impl.seen.TraceID(), impl.seen.IsSampled(), tid)
	}
	if _, err := c.CheckStatus(context.Background(), &CheckStatusRequest{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if impl.seen.IsValid() {
		t.Errorf("an untraced call reached the hook with trace %s", impl.seen.TraceID())
	}
}
