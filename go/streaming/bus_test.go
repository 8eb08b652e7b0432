package streaming

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// receive waits for one message or fails after a generous bound (a hang is
// the failure being tested, not a timing claim).
func receive(t *testing.T, ch <-chan Message) Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return Message{}
}

func TestLocalDeliversToEverySubscriber(t *testing.T) {
	b := NewLocal(nil)
	defer b.Close()
	a, stopA := b.Subscribe()
	c, stopC := b.Subscribe()
	defer stopC()
	want := Message{Kind: KindUpdate, Streams: []string{"public", "user:1"}, StatusID: 7}
	if err := b.Publish(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []<-chan Message{a, c} {
		if got := receive(t, ch); got.StatusID != 7 || !slices.Equal(got.Streams, want.Streams) {
			t.Fatalf("got %+v", got)
		}
	}
	stopA()
	stopA() // idempotent
	if _, ok := <-a; ok {
		t.Fatal("channel not closed after unsubscribe")
	}
	// Publishing after one subscriber left still reaches the other.
	_ = b.Publish(context.Background(), Message{Kind: KindDelete, StatusID: 8})
	if got := receive(t, c); got.Kind != KindDelete {
		t.Fatalf("got %+v", got)
	}
}

func TestSlowSubscriberDoesNotBlockOthers(t *testing.T) {
	b := NewLocal(nil)
	defer b.Close()
	_, stopSlow := b.Subscribe() // never read
	defer stopSlow()
	fast, stopFast := b.Subscribe()
	defer stopFast()
	for i := range subscriberBuffer * 3 {
		_ = b.Publish(context.Background(), Message{Kind: KindUpdate, StatusID: int64(i)})
		receive(t, fast)
	}
	if b.f.dropped.Load() != subscriberBuffer*2 {
		t.Fatalf("dropped %d, want %d", b.f.dropped.Load(), subscriberBuffer*2)
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	b := NewLocal(nil)
	ch, stop := b.Subscribe()
	b.Close()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after Close")
	}
	stop() // safe after Close
	late, _ := b.Subscribe()
	if _, ok := <-late; ok {
		t.Fatal("a subscription after Close must be closed")
	}
}

// TestRedisAcrossProcesses uses two buses on two connections, as two server
// processes would, against the real Redis.
func TestRedisAcrossProcesses(t *testing.T) {
	opts, channel := TestRedis(t)
	ctx := context.Background()
	var buses []*Redis
	for range 2 {
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { rdb.Close() })
		bus := NewRedis(ctx, rdb, channel, nil)
		t.Cleanup(func() { bus.Close() })
		buses = append(buses, bus)
	}
	sub0, stop0 := buses[0].Subscribe()
	defer stop0()
	sub1, stop1 := buses[1].Subscribe()
	defer stop1()
	want := Message{Kind: KindNotification, Streams: []string{"user:9", "user:notification:9"}, NotificationID: 99}
	if err := buses[0].Publish(ctx, want); err != nil {
		t.Fatal(err)
	}
	for i, ch := range []<-chan Message{sub0, sub1} {
		got := receive(t, ch)
		if got.Kind != want.Kind || got.NotificationID != 99 || !slices.Equal(got.Streams, want.Streams) {
			t.Fatalf("bus %d got %+v", i, got)
		}
	}
	if err := buses[1].Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub1; ok {
		t.Fatal("subscription open after Close")
	}
}

// TestRedisDownAtStart: the bus is usable (publishing fails cleanly) when
// Redis does not answer, so the server can start and report not-ready.
func TestRedisDownAtStart(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	bus := NewRedis(context.Background(), rdb, "starling:test:down", nil)
	defer bus.Close()
	if err := bus.Publish(context.Background(), Message{Kind: KindUpdate}); err == nil {
		t.Fatal("publish to an unreachable Redis reported success")
	}
	ch, stop := bus.Subscribe()
	stop()
	if _, ok := <-ch; ok {
		t.Fatal("subscription not closed")
	}
}
