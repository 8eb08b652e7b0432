package redisbreaker

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/internal/redistest"
)

// rig is a client of the real test Redis through a Breaker whose clock the
// test moves, and a dialer the test can make fail as a Redis that is down.
type rig struct {
	t     *testing.T
	c     *redis.Client
	b     *Breaker
	clock time.Time
	down  atomic.Bool
	dials atomic.Int64
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, clock: time.Unix(1_800_000_000, 0)}
	opts := redistest.Options(t)
	opts.DialerRetries = 1
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		r.dials.Add(1)
		if r.down.Load() {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	r.c = redis.NewClient(opts)
	t.Cleanup(func() { r.c.Close() })
	r.b = New(time.Second)
	r.b.now = func() time.Time { return r.clock }
	r.c.AddHook(r.b)
	return r
}

func (r *rig) ping() error { return r.c.Ping(r.t.Context()).Err() }

func TestBreakerFailsFastWhileRedisIsDown(t *testing.T) {
	r := newRig(t)
	r.down.Store(true)
	if err := r.ping(); err == nil || errors.Is(err, ErrOpen) {
		t.Fatalf("first command with Redis down: %v, want the dial's error", err)
	}
	dials := r.dials.Load()
	if dials == 0 {
		t.Fatal("the first command did not dial")
	}

	// Open: commands and pipelines fail at once, without dialing.
	if err := r.ping(); !errors.Is(err, ErrOpen) {
		t.Fatalf("command within the cooldown: %v, want ErrOpen", err)
	}
	cmds, err := r.c.Pipelined(t.Context(), func(p redis.Pipeliner) error {
		p.Ping(t.Context())
		p.Get(t.Context(), "k")
		return nil
	})
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("pipeline within the cooldown: %v, want ErrOpen", err)
	}
	for _, c := range cmds {
		if !errors.Is(c.Err(), ErrOpen) {
			t.Errorf("%s in the pipeline: %v, want ErrOpen", c.Name(), c.Err())
		}
	}
	if got := r.dials.Load(); got != dials {
		t.Fatalf("%d dials within the cooldown, want none", got-dials)
	}

	// After the cooldown one command probes; Redis still down, it reopens.
	r.clock = r.clock.Add(time.Second)
	if err := r.ping(); err == nil || errors.Is(err, ErrOpen) {
		t.Fatalf("probe with Redis down: %v, want the dial's error", err)
	}
	if r.dials.Load() == dials {
		t.Fatal("the probe did not dial")
	}
	if err := r.ping(); !errors.Is(err, ErrOpen) {
		t.Fatalf("after a failed probe: %v, want ErrOpen", err)
	}

	// Redis back: the next probe closes the breaker.
	r.down.Store(false)
	r.clock = r.clock.Add(time.Second)
	for i := range 3 {
		if err := r.ping(); err != nil {
			t.Fatalf("command %d with Redis back: %v", i, err)
		}
	}
}

// Redis's own answers, error replies included, and a caller giving up do
// not open the breaker.
func TestBreakerStaysClosed(t *testing.T) {
	ctx := t.Context()
	prefix := redistest.Prefix()
	cases := []struct {
		name string
		do   func(c *redis.Client) error
	}{
		{"nil reply", func(c *redis.Client) error { return c.Get(ctx, prefix+"missing").Err() }},
		{"error reply", func(c *redis.Client) error {
			c.Set(ctx, prefix+"s", "x", time.Minute)
			return c.LPush(ctx, prefix+"s", "y").Err()
		}},
		{"unknown command", func(c *redis.Client) error { return c.Do(ctx, "NOSUCHCOMMAND").Err() }},
		{"canceled caller", func(c *redis.Client) error {
			canceled, cancel := context.WithCancel(ctx)
			cancel()
			return c.Ping(canceled).Err()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if err := tc.do(r.c); err == nil {
				t.Fatal("the command succeeded; the case needs it to fail")
			}
			if err := r.ping(); err != nil {
				t.Fatalf("next command: %v, want an answer", err)
			}
		})
	}
}

// While open, only one command at a time probes.
func TestBreakerProbesOneAtATime(t *testing.T) {
	b := New(time.Second)
	clock := time.Unix(1_800_000_000, 0)
	b.now = func() time.Time { return clock }
	b.record(context.Background(), false, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED})
	ctx := context.Background()
	if _, _, err := b.admit(ctx); !errors.Is(err, ErrOpen) {
		t.Fatalf("admit within the cooldown: %v", err)
	}
	clock = clock.Add(time.Second)
	probeCtx, probe, err := b.admit(ctx)
	if err != nil || !probe {
		t.Fatalf("first admit after the cooldown: probe %v, %v; want the probe", probe, err)
	}
	if _, _, err := b.admit(ctx); !errors.Is(err, ErrOpen) {
		t.Fatalf("admit while the probe is out: %v, want ErrOpen", err)
	}
	// What go-redis sends within the probe (a new connection's HELLO) passes.
	if _, nested, err := b.admit(probeCtx); err != nil || nested {
		t.Fatalf("admit within the probe: probe %v, %v; want it to pass", nested, err)
	}
	b.record(ctx, true, nil)
	if _, probe, err := b.admit(ctx); err != nil || probe {
		t.Fatalf("admit after the probe's answer: probe %v, %v; want closed", probe, err)
	}
}
