package social

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
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
	lost := &store.Status{ID: snowflaketest.NextID(t, s.ids), AccountID: alice.ID, Text: "left behind", Content: "<p>left behind</p>",
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

// gatedHome is a home feed whose fan-out waits for a release and can be
// made to fail.
type gatedHome struct {
	HomeFeed
	entered chan int64    // a fan-out started (status ID)
	release chan struct{} // lets one fan-out go on
	fail    bool
}

func (g *gatedHome) StatusAdded(ctx context.Context, st *store.Status, home, lists []int64) error {
	g.entered <- st.ID
	<-g.release
	if g.fail {
		return errors.New("timeline store down")
	}
	return g.HomeFeed.StatusAdded(ctx, st, home, lists)
}

// TestDeliveryOffTheRequest: with delivery workers, a post by an author
// over InlineAudience followers is acknowledged while its fan-out has not
// run; the fan-out then reaches the follower's home and its outbox event
// is deleted. A fan-out that fails keeps the event for the relay, which
// delivers it once the store is back. An author at or under the inline
// audience is delivered before the answer.
func TestDeliveryOffTheRequest(t *testing.T) {
	ctx := context.Background()
	g := &gatedHome{entered: make(chan int64, 1), release: make(chan struct{})}
	s, st := newService(t, Deps{}, Config{DeliveryWorkers: 1, InlineAudience: 1})
	g.HomeFeed = feed.NewCached(st, feed.NewMemory(800, 1<<20), 0, slog.New(slog.DiscardHandler))
	s.home = g
	// The workers RunOutboxRelay starts, without its periodic relay: the
	// test relays by hand.
	s.startDeliveries()
	t.Cleanup(s.queue.stop)

	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	for _, f := range []*store.Account{bob, carol} {
		if _, err := s.Follow(ctx, f, alice.ID, FollowOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.HomeTimeline(ctx, bob, store.Page{Limit: 20}); err != nil { // builds bob's cached home
		t.Fatal(err)
	}
	alice, err := st.GetAccountByID(ctx, alice.ID) // as a request loads its viewer: 2 followers now
	if err != nil {
		t.Fatal(err)
	}
	posted, err := s.PostStatus(ctx, alice, StatusInput{Text: "acknowledged first"})
	if err != nil {
		t.Fatal(err)
	}
	// Acknowledged: the fan-out has not finished (it waits for release).
	if id := <-g.entered; id != posted.ID {
		t.Fatalf("fan-out of %d, want %d", id, posted.ID)
	}
	if n, _ := st.CountOutbox(ctx); n != 1 {
		t.Fatalf("outbox holds %d events before delivery, want 1", n)
	}
	g.release <- struct{}{}
	s.WaitDelivered()
	if got := homeOf(t, s, bob); !slices.Equal(got, []int64{posted.ID}) {
		t.Fatalf("bob's home = %v, want [%d]", got, posted.ID)
	}
	if _, err := s.RelayOutbox(ctx); err != nil { // deletes the delivered event
		t.Fatal(err)
	}
	if n, _ := st.CountOutbox(ctx); n != 0 {
		t.Fatalf("outbox holds %d events after delivery, want 0", n)
	}

	// A failed fan-out keeps its event; the relay delivers it after its lease.
	g.fail = true
	failed, err := s.PostStatus(ctx, alice, StatusInput{Text: "store down"})
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered
	g.release <- struct{}{}
	s.WaitDelivered()
	if n, _ := st.CountOutbox(ctx); n != 1 {
		t.Fatalf("outbox holds %d events after a failed fan-out, want 1", n)
	}
	g.fail = false
	s.now = func() time.Time { return time.Now().Add(OutboxLease + time.Second) }
	relayed := make(chan error, 1)
	go func() { _, err := s.RelayOutbox(ctx); relayed <- err }()
	if id := <-g.entered; id != failed.ID {
		t.Fatalf("relay fanned out %d, want %d", id, failed.ID)
	}
	g.release <- struct{}{}
	if err := <-relayed; err != nil {
		t.Fatal(err)
	}
	if got := homeOf(t, s, bob); !slices.Equal(got, []int64{failed.ID, posted.ID}) {
		t.Fatalf("bob's home after the relay = %v, want [%d %d]", got, failed.ID, posted.ID)
	}

	// Bob has one follower (under the inline audience): delivered before
	// the answer, on the request.
	if _, err := s.Follow(ctx, carol, bob.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	bob, err = st.GetAccountByID(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *store.Status)
	go func() {
		st, err := s.PostStatus(ctx, bob, StatusInput{Text: "small audience"})
		if err != nil {
			t.Error(err)
		}
		done <- st
	}()
	<-g.entered // the request is in the fan-out: it has not answered
	select {
	case <-done:
		t.Fatal("a small audience's post was answered before its fan-out")
	default:
	}
	g.release <- struct{}{}
	<-done
}

func homeOf(t *testing.T, s *Service, a *store.Account) []int64 {
	t.Helper()
	sts, err := s.HomeTimeline(context.Background(), a, store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, x := range sts {
		ids = append(ids, x.ID)
	}
	return ids
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

// countingHome is a home feed that counts fan-outs and can be made to
// fail them.
type countingHome struct {
	HomeFeed
	fanouts atomic.Int64
	fail    atomic.Bool
}

func (c *countingHome) StatusAdded(context.Context, *store.Status, []int64, []int64) error {
	c.fanouts.Add(1)
	if c.fail.Load() {
		return errors.New("timeline store down")
	}
	return nil
}

// post has author post n statuses.
func post(t *testing.T, s *Service, author *store.Account, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.PostStatus(context.Background(), author, StatusInput{Text: fmt.Sprint("status ", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// newCountingService returns a service whose home feed is a countingHome,
// failing or not, and an author.
func newCountingService(t *testing.T, failing bool) (*Service, store.Store, *countingHome, *store.Account) {
	s, st := newService(t, Deps{}, Config{})
	home := &countingHome{}
	home.fail.Store(failing)
	s.home = home
	return s, st, home, mustAccount(t, s, "alice")
}

// TestOutboxRelayDrainsABacklog: a backlog of several batches (what an
// outage of the timeline store leaves) is delivered pass after pass
// without waiting for the relay's interval; while the fan-outs fail, the
// relay does not run again before the interval.
func TestOutboxRelayDrainsABacklog(t *testing.T) {
	for _, failing := range []bool{false, true} {
		t.Run(map[bool]string{false: "store up", true: "store down"}[failing], func(t *testing.T) {
			ctx := context.Background()
			s, st, home, alice := newCountingService(t, failing)
			const backlog = 2*outboxBatch + 50
			for range backlog {
				left := &store.Status{ID: snowflaketest.NextID(t, s.ids), AccountID: alice.ID, Text: "left", Content: "<p>left</p>",
					Visibility: store.VisibilityPublic, CreatedAt: s.nowUTC()}
				if err := st.PutStatusWrite(ctx, &store.StatusWrite{Status: left, OutboxAt: s.nowUTC()}); err != nil {
					t.Fatal(err)
				}
			}
			relayCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); s.RunOutboxRelay(relayCtx, time.Hour) }()
			defer func() { stop(); <-done }()

			if failing {
				// One pass, one batch claimed and failed; the next waits an hour.
				deadline := time.Now().Add(10 * time.Second)
				for home.fanouts.Load() < outboxBatch && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(300 * time.Millisecond)
				if n := home.fanouts.Load(); n != outboxBatch {
					t.Fatalf("%d fan-outs attempted with the store down, want one batch (%d)", n, outboxBatch)
				}
				return
			}
			// The last pass delivers a partial batch; the next, an hour on,
			// would delete its events: every status was fanned out once.
			deadline := time.Now().Add(10 * time.Second)
			for home.fanouts.Load() < backlog && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := home.fanouts.Load(); n != backlog {
				t.Fatalf("%d of %d pending statuses fanned out before the relay's interval, want all", n, backlog)
			}
			if n, err := st.CountOutbox(ctx); err != nil || n != 50 {
				t.Fatalf("CountOutbox = %d, %v; want the last pass's 50 events, deleted at the next", n, err)
			}
		})
	}
}

// TestOutboxRelayRetriesAtOnce: the statuses whose fan-out failed are
// delivered at the relay's next pass once the store answers, not after
// their lease; while it still fails, a pass tries one of them.
func TestOutboxRelayRetriesAtOnce(t *testing.T) {
	ctx := context.Background()
	s, st, home, alice := newCountingService(t, true)
	post(t, s, alice, 3)
	if n := home.fanouts.Load(); n != 3 {
		t.Fatalf("%d fan-outs for 3 posts, want 3", n)
	}
	if n, err := s.RelayOutbox(ctx); err != nil || n != 0 {
		t.Fatalf("RelayOutbox with the store down = %d, %v; want 0", n, err)
	}
	if n := home.fanouts.Load(); n != 4 {
		t.Fatalf("%d fan-outs after a pass with the store down, want 4 (one retried)", n)
	}
	home.fail.Store(false) // back, well within the lease
	if _, err := s.RelayOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if n := home.fanouts.Load(); n != 7 {
		t.Fatalf("%d fan-outs after the store came back, want 7 (all three delivered)", n)
	}
	if _, err := s.RelayOutbox(ctx); err != nil { // deletes their events
		t.Fatal(err)
	}
	if n, err := st.CountOutbox(ctx); err != nil || n != 0 {
		t.Fatalf("CountOutbox = %d, %v; want 0", n, err)
	}
	if n := home.fanouts.Load(); n != 7 {
		t.Fatalf("%d fan-outs after the events were deleted, want 7 (none twice)", n)
	}
}

// unreadableStatuses is a store that cannot read statuses by ID.
type unreadableStatuses struct{ store.Store }

func (unreadableStatuses) GetStatusesByIDs(context.Context, []int64) ([]*store.Status, error) {
	return nil, errors.New("database unavailable")
}

// TestOutboxRetryOutlivesAFailedRead: when the statuses to retry cannot be
// read, they stay on the retry list for the next pass.
func TestOutboxRetryOutlivesAFailedRead(t *testing.T) {
	ctx := context.Background()
	s, st, home, alice := newCountingService(t, true)
	post(t, s, alice, 2)
	s.store = unreadableStatuses{st}
	if _, err := s.RelayOutbox(ctx); err == nil {
		t.Fatal("RelayOutbox succeeded without reading the statuses")
	}
	s.store = st
	home.fail.Store(false)
	if _, err := s.RelayOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if n := home.fanouts.Load(); n != 4 {
		t.Fatalf("%d fan-outs, want 4: both statuses delivered again once they could be read", n)
	}
}
