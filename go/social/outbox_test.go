package social

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
)

// TestOutboxRelayDeliversWhatACrashLeft: a status committed with its
// event by a process that died before delivering is delivered by the
// relay into the cached home timelines, once.
func TestOutboxRelayDeliversWhatACrashLeft(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, Deps{}, Config{})
	s.home = feed.NewCached(st, feed.NewMemory(800, 1<<20), 0, slog.New(slog.DiscardHandler)) // push
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	if _, err := s.Follow(ctx, bob, alice.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	homeIDs := func() []int64 {
		t.Helper()
		sts, err := s.HomeTimeline(ctx, bob, store.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, x := range sts {
			ids = append(ids, x.ID)
		}
		return ids
	}
	posted, err := s.PostStatus(ctx, alice, StatusInput{Text: "delivered at once"})
	if err != nil {
		t.Fatal(err)
	}
	if got := homeIDs(); !slices.Equal(got, []int64{posted.ID}) { // builds bob's cached home
		t.Fatalf("home = %v, want [%d]", got, posted.ID)
	}
	// What a crash between commit and delivery leaves: the status and its
	// event, claimable now.
	lost := &store.Status{ID: s.ids.Next(), AccountID: alice.ID, Text: "left behind", Content: "<p>left behind</p>",
		Visibility: store.VisibilityPublic, CreatedAt: s.nowUTC()}
	if err := st.PutStatusWrite(ctx, &store.StatusWrite{Status: lost, OutboxAt: s.nowUTC()}); err != nil {
		t.Fatal(err)
	}
	if got := homeIDs(); slices.Contains(got, lost.ID) {
		t.Fatalf("home = %v holds the undelivered status: the cache was not under test", got)
	}
	n, err := s.RelayOutbox(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RelayOutbox = %d, %v; want 1 delivered", n, err)
	}
	if got := homeIDs(); !slices.Equal(got, []int64{lost.ID, posted.ID}) {
		t.Fatalf("home after relay = %v, want [%d %d]", got, lost.ID, posted.ID)
	}
	// The next pass deletes both events (the inline one's lease had not
	// run out, so it was never claimed) and delivers nothing again.
	if n, err := s.RelayOutbox(ctx); err != nil || n != 0 {
		t.Fatalf("second RelayOutbox = %d, %v; want 0", n, err)
	}
	if c, err := st.CountOutbox(ctx); err != nil || c != 0 {
		t.Fatalf("CountOutbox = %d, %v; want 0", c, err)
	}
}

// TestOutboxRelayLinksThePostingRequest: a status posted in a traced
// request keeps that trace with its outbox event, and when the relay has
// to deliver it (the poster died before delivering), the relay's span
// links to the request's trace.
func TestOutboxRelayLinksThePostingRequest(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracing.Install(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	now := time.Now()
	s, st := newService(t, Deps{Now: func() time.Time { return now }}, Config{})
	alice := mustAccount(t, s, "alice")

	ctx, request := tracing.Tracer().Start(context.Background(), "POST /api/v1/statuses")
	posted, err := s.PostStatus(ctx, alice, StatusInput{Text: "traced"})
	request.End()
	if err != nil {
		t.Fatal(err)
	}
	tps, err := st.GetOutboxTraceParents(context.Background(), []int64{posted.ID})
	if err != nil {
		t.Fatal(err)
	}
	link, ok := tracing.LinkTo(tps[posted.ID])
	if !ok || link.SpanContext.TraceID() != request.SpanContext().TraceID() {
		t.Fatalf("outbox trace parent %q, want one in the request's trace %s", tps[posted.ID], request.SpanContext().TraceID())
	}

	s.done.take() // the poster died: its delivered list is lost, the event stays
	now = now.Add(OutboxLease + time.Second)
	if n, err := s.RelayOutbox(context.Background()); err != nil || n != 1 {
		t.Fatalf("RelayOutbox = %d, %v; want 1 delivered", n, err)
	}
	var relay sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.Name() == "outbox.relay" {
			relay = sp
		}
	}
	if relay == nil {
		t.Fatal("no outbox.relay span")
	}
	if relay.SpanContext().TraceID() == request.SpanContext().TraceID() {
		t.Error("the relay joined the request's trace; it should have its own, linked")
	}
	if ls := relay.Links(); len(ls) != 1 || ls[0].SpanContext.TraceID() != request.SpanContext().TraceID() {
		t.Errorf("relay links %v, want one to the request's trace %s", ls, request.SpanContext().TraceID())
	}
}
