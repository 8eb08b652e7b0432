package presence

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/internal/redistest"
)

// cluster is the presence tests' Redis Cluster (their port range is
// 7120-7129; the feed tests' cluster is on 7101-7103).
var cluster = &redistest.Cluster{Ports: []int{7121, 7122, 7123}}

func TestMain(m *testing.M) {
	code := m.Run()
	cluster.Stop()
	os.Exit(code)
}

// stores are the stores under test; each call makes a fresh one (the
// Redis ones under a prefix of their own).
var stores = map[string]func(t *testing.T) Store{
	"memory":        func(*testing.T) Store { return NewMemory() },
	"redis":         func(t *testing.T) Store { return NewRedis(redistest.Client(t), redistest.Prefix()) },
	"redis cluster": func(t *testing.T) Store { return NewRedis(cluster.Client(t), redistest.Prefix()) },
}

// TestStoreMarks: a mark makes an account online, and only it; answers
// keep the order (and repetitions) of the question; odd IDs (negative,
// zero, the largest) are accounts like any other.
func TestStoreMarks(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			for _, id := range []int64{7, 0, -1, math.MaxInt64} {
				if err := s.Mark(ctx, id, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Online(ctx, []int64{8, 7, math.MinInt64, 0, -1, 7, math.MaxInt64, math.MaxInt64 - 1})
			if err != nil {
				t.Fatal(err)
			}
			if want := []bool{false, true, false, true, true, true, true, false}; !slices.Equal(got, want) {
				t.Fatalf("Online = %v, want %v", got, want)
			}
			if got, err := s.Online(ctx, nil); err != nil || len(got) != 0 {
				t.Fatalf("Online(nil) = %v, %v", got, err)
			}
		})
	}
}

// TestStoreExpiry: a mark lapses after its TTL; a new mark replaces the
// expiry (SET … EX), so a short one after a long one ends sooner.
func TestStoreExpiry(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			clock := time.Now()
			if m, ok := s.(*Memory); ok {
				m.now = func() time.Time { return clock }
			}
			must(t, s.Mark(ctx, 1, time.Hour))
			must(t, s.Mark(ctx, 1, 20*time.Millisecond)) // replaces the hour
			must(t, s.Mark(ctx, 2, time.Hour))
			clock = clock.Add(time.Minute) // the in-process store's clock
			// Redis expires on its own clock: wait (bounded) for it.
			deadline := time.Now().Add(10 * time.Second)
			for {
				on, err := s.Online(ctx, []int64{1, 2})
				must(t, err)
				if !on[1] {
					t.Fatalf("account 2, marked for an hour, went offline: %v", on)
				}
				if !on[0] {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("a 20 ms mark did not expire within 10 s")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// TestRedisProcessesShare: two server processes, each with its own client
// and tracker on one Redis (and one Redis Cluster), see the accounts the
// other marked.
func TestRedisProcessesShare(t *testing.T) {
	for name, client := range map[string]func(testing.TB) redis.UniversalClient{"redis": redistest.Client, "redis cluster": cluster.Client} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			prefix := redistest.Prefix()
			// Two clients: two processes' connections.
			a, b := NewTracker(NewRedis(client(t), prefix), time.Hour), NewTracker(NewRedis(client(t), prefix), time.Hour)
			ids := []int64{11, 12, 13, 14, 15, 16} // several slots on the cluster
			for _, id := range ids[:3] {
				_, err := a.Mark(ctx, id)
				must(t, err)
			}
			_, err := b.Mark(ctx, ids[3])
			must(t, err)
			want := []bool{true, true, true, true, false, false}
			for name, tr := range map[string]*Tracker{"a": a, "b": b} {
				got, err := tr.Online(ctx, ids)
				must(t, err)
				if !slices.Equal(got, want) {
					t.Fatalf("process %s sees %v, want %v", name, got, want)
				}
			}
		})
	}
}

// countingStore counts the marks that reach a store, and fails them while
// fail is set.
type countingStore struct {
	Store
	marks atomic.Int64
	fail  atomic.Bool
}

func (c *countingStore) Mark(ctx context.Context, id int64, ttl time.Duration) error {
	c.marks.Add(1)
	if c.fail.Load() {
		return errors.New("store down")
	}
	return c.Store.Mark(ctx, id, ttl)
}

// TestTrackerCapsMarks: however often an account's clients send
// heartbeats, its marks reach the store at most once per TTL/4 (a hostile
// caller looping costs a map lookup); a failed mark is not remembered, so
// the next one tries again; forgotten accounts are swept.
func TestTrackerCapsMarks(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: NewMemory()}
	tr := NewTracker(st, time.Minute)
	clock := time.Now()
	tr.now = func() time.Time { return clock }
	for range 1000 {
		until, err := tr.Mark(ctx, 1)
		must(t, err)
		if !until.Equal(clock.Add(time.Minute)) {
			t.Fatalf("until %v, want %v", until, clock.Add(time.Minute))
		}
	}
	if n := st.marks.Load(); n != 1 {
		t.Fatalf("1000 heartbeats sent %d marks to the store, want 1", n)
	}
	clock = clock.Add(15 * time.Second) // TTL/4 later
	_, err := tr.Mark(ctx, 1)
	must(t, err)
	if n := st.marks.Load(); n != 2 {
		t.Fatalf("a heartbeat TTL/4 later: %d marks, want 2", n)
	}
	st.fail.Store(true)
	if _, err := tr.Mark(ctx, 2); err == nil {
		t.Fatal("a failed store mark was not reported")
	}
	st.fail.Store(false)
	_, err = tr.Mark(ctx, 2)
	must(t, err)
	if n := st.marks.Load(); n != 4 {
		t.Fatalf("after a failure the next heartbeat was not sent: %d marks, want 4", n)
	}
	clock = clock.Add(2 * time.Minute)
	_, err = tr.Mark(ctx, 3) // sweeps 1 and 2
	must(t, err)
	tr.mu.Lock()
	n := len(tr.sent)
	tr.mu.Unlock()
	if n != 1 {
		t.Fatalf("tracker remembers %d accounts after their TTL, want 1", n)
	}
}

// TestTrackerQueryLimit: a query names at most MaxQuery accounts.
func TestTrackerQueryLimit(t *testing.T) {
	tr := NewTracker(NewMemory(), 0)
	if tr.TTL() != DefaultTTL {
		t.Fatalf("TTL %v, want the default %v", tr.TTL(), DefaultTTL)
	}
	ids := make([]int64, MaxQuery+1)
	if _, err := tr.Online(context.Background(), ids); !errors.Is(err, ErrTooMany) {
		t.Fatalf("%d ids: err %v, want ErrTooMany", len(ids), err)
	}
	if got, err := tr.Online(context.Background(), ids[:MaxQuery]); err != nil || len(got) != MaxQuery {
		t.Fatalf("%d ids: %d answers, err %v", MaxQuery, len(got), err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
