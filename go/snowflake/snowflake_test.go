package snowflake

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// scriptedClock returns script(i) on its i-th read, so generators given
// the same script see the same clock (the worst case for collisions).
func scriptedClock(script func(read int) time.Time) func() time.Time {
	var reads atomic.Int64
	return func() time.Time { return script(int(reads.Add(1) - 1)) }
}

func newOn(lease Lease, script func(int) time.Time) *Generator {
	g := New(lease)
	g.now = scriptedClock(script)
	return g
}

func TestNodesNeverCollide(t *testing.T) {
	tests := []struct {
		name   string
		nodes  []int
		each   int
		script func(read int) time.Time
	}{
		{"one millisecond", []int{0, 1, 15}, seqMask + 1, func(int) time.Time { return t0 }},
		{"sequence used up, clock ticks every 300 reads", []int{0, 7}, 1000,
			func(r int) time.Time { return t0.Add(time.Duration(r/300) * time.Millisecond) }},
		{"clock steps back a second after 100 IDs", []int{3, 4}, 600, func(r int) time.Time {
			if r < 100 {
				return t0
			}
			// Back a second, then 10 ms a read: it catches up after 100 reads.
			return t0.Add(-time.Second + time.Duration(r-100)*10*time.Millisecond)
		}},
		{"every node at once", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 300,
			func(r int) time.Time { return t0.Add(time.Duration(r/100) * time.Millisecond) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			seen := map[int64]int{}
			for _, node := range tt.nodes {
				g := newOn(Fixed(node), tt.script)
				var prev int64
				for i := range tt.each {
					id, err := g.Next(ctx)
					if err != nil {
						t.Fatalf("node %d, ID %d: %v", node, i, err)
					}
					if id <= prev {
						t.Fatalf("node %d: %d after %d, not increasing", node, id, prev)
					}
					if id <= 0 || id > MaxID {
						t.Fatalf("node %d: %d outside (0, 2^53)", node, id)
					}
					if Node(id) != node {
						t.Fatalf("ID %d carries node %d, made on %d", id, Node(id), node)
					}
					if other, dup := seen[id]; dup {
						t.Fatalf("ID %d made on nodes %d and %d", id, other, node)
					}
					seen[id], prev = node, id
				}
			}
		})
	}
}

func TestNextIsStrictlyIncreasingUnderConcurrency(t *testing.T) {
	g := New(Fixed(5))
	const workers, each = 8, 5000
	out := make(chan []int64, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]int64, each)
			for i := range ids {
				id, err := g.Next(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = id
			}
			out <- ids
		}()
	}
	wg.Wait()
	close(out)
	seen := make(map[int64]bool, workers*each)
	for ids := range out {
		for i, id := range ids {
			if i > 0 && id <= ids[i-1] {
				t.Fatalf("ids not increasing within a goroutine: %d then %d", ids[i-1], id)
			}
			if seen[id] {
				t.Fatalf("duplicate id %d", id)
			}
			seen[id] = true
		}
	}
}

func TestNextGivesUp(t *testing.T) {
	lost := errors.New("lease lost")
	tests := []struct {
		name    string
		lease   Lease
		script  func(int) time.Time
		before  int // IDs made before the one that fails
		wantErr error
	}{
		{"clock frozen after the sequence is used up", Fixed(1), func(int) time.Time { return t0 }, seqMask + 1, context.DeadlineExceeded},
		{"clock an hour back after the sequence is used up", Fixed(1), func(r int) time.Time {
			if r <= seqMask {
				return t0
			}
			return t0.Add(-time.Hour)
		}, seqMask + 1, context.DeadlineExceeded},
		{"no node held", leaseFunc(func() (int, error) { return 0, lost }), func(int) time.Time { return t0 }, 0, lost},
		{"node out of range", Fixed(Nodes), func(int) time.Time { return t0 }, 0, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newOn(tt.lease, tt.script)
			for range tt.before {
				if _, err := g.Next(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			id, err := g.Next(ctx)
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Next = %d, %v; want ErrUnavailable and %v", id, err, tt.wantErr)
			}
		})
	}
}

type leaseFunc func() (int, error)

func (f leaseFunc) Node() (int, error) { return f() }

// TestNodeChange: after the lease moves to another node (the first was
// lost), IDs carry the new node and still increase, even within the
// millisecond of the last ID on the old node.
func TestNodeChange(t *testing.T) {
	var node atomic.Int64
	node.Store(9)
	lease := leaseFunc(func() (int, error) { return int(node.Load()), nil })
	g := newOn(lease, func(r int) time.Time { return t0.Add(time.Duration(r/3) * time.Millisecond) })
	a, err := g.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	node.Store(2)
	b, err := g.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if b <= a || Node(a) != 9 || Node(b) != 2 || !Time(b).After(Time(a)) {
		t.Fatalf("node 9 gave %d (%v), then node 2 gave %d (%v)", a, Time(a), b, Time(b))
	}
}

func TestFromTimeBoundsIDs(t *testing.T) {
	g := newOn(Fixed(Nodes-1), func(int) time.Time { return t0.Add(999 * time.Microsecond) })
	id, err := g.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if lo, next := FromTime(t0), FromTime(t0.Add(time.Millisecond)); id < lo || id >= next {
		t.Fatalf("ID %d of %v outside [FromTime %d, next millisecond %d)", id, t0, lo, next)
	}
	// An ID of the layout before nodes (12 bits of sequence) reads the same.
	legacy := FromTime(t0) | 0xfff
	if !Time(legacy).Equal(t0) {
		t.Fatalf("Time(legacy %d) = %v, want %v", legacy, Time(legacy), t0)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	tm := time.Date(2090, 12, 31, 23, 59, 59, 123e6, time.UTC)
	id := FromTime(tm)
	if id > MaxID {
		t.Fatalf("2090 does not fit in 53 bits: %d", id)
	}
	if got := Time(id); !got.Equal(tm) {
		t.Fatalf("Time(FromTime(%v)) = %v", tm, got)
	}
}
