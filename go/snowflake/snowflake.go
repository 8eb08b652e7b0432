package snowflake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Epoch is the zero of the ID clock.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	// NodeBits is the width of the node field.
	NodeBits = 4
	// Nodes is how many processes can make IDs at once on one database.
	Nodes = 1 << NodeBits

	seqBits  = 8
	seqMask  = 1<<seqBits - 1
	lowBits  = NodeBits + seqBits // below the milliseconds
	maxMilli = MaxID >> lowBits

	// MaxID is the largest ID that fits in 53 bits.
	MaxID = 1<<53 - 1
)

// MaxWait bounds how long Next waits for a node or for the clock before it
// gives up with ErrUnavailable.
const MaxWait = 2 * time.Second

// leasePoll is how often Next asks a lease that holds no node again.
const leasePoll = 10 * time.Millisecond

// ErrUnavailable is in the chain of every error Next returns: no ID can be
// made now (no node held, or the clock far behind the last ID); the caller
// should answer "try again later" (503), never retry in a loop of its own.
var ErrUnavailable = errors.New("snowflake: no ID available")

// A Lease tells a Generator which node it may use. Implementations are safe
// for concurrent use.
type Lease interface {
	// Node returns the node held now, in [0, Nodes), or an error when the
	// process holds none (not yet, or it lost it and another process may
	// have it).
	Node() (int, error)
}

// Fixed is a Lease on one node that never ends: for a process alone on a
// database of its own (a bench's scratch file), and for tests, where each
// simulated process gets its own.
type Fixed int

// Node returns f.
func (f Fixed) Node() (int, error) { return int(f), nil }

// Generator hands out strictly increasing IDs on the node its lease gives.
// It is safe for concurrent use.
type Generator struct {
	lease Lease
	now   func() time.Time

	mu   sync.Mutex
	ms   int64 // millisecond of the last ID, -1 before the first
	node int   // node of the last ID
	seq  int   // sequence of the last ID
}

// New returns a generator on the nodes lease gives, reading the wall clock.
func New(lease Lease) *Generator {
	return &Generator{lease: lease, now: time.Now, ms: -1}
}

// Next returns an ID greater than every ID this generator returned before,
// even if the wall clock steps backwards, and unlike any ID another holder
// of a different node makes. It waits while the sequence of the current
// millisecond is used up, while the clock is behind the last ID, and while
// no node is held, but at most MaxWait and not past ctx: then it returns an
// error wrapping ErrUnavailable.
func (g *Generator) Next(ctx context.Context) (int64, error) {
	var deadline time.Time
	for {
		id, wait, err := g.try()
		if wait == 0 {
			return id, err
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(MaxWait)
		}
		if err == nil {
			err = errors.New("sequence used up and the clock not past the last ID")
		}
		if time.Now().Add(wait).After(deadline) {
			return 0, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("%w: %w (%w)", ErrUnavailable, err, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// try makes an ID, or says how long to wait before trying again (and, when
// the wait is for a node, why).
func (g *Generator) try() (id int64, wait time.Duration, err error) {
	node, err := g.lease.Node()
	if err != nil {
		return 0, leasePoll, err
	}
	if node < 0 || node >= Nodes {
		return 0, 0, fmt.Errorf("%w: node %d outside [0, %d)", ErrUnavailable, node, Nodes)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if node != g.node && g.ms >= 0 {
		// A new node (the old lease was lost): start a fresh millisecond, so
		// IDs keep increasing whatever the two nodes' numbers.
		g.node, g.seq = node, seqMask
	}
	g.node = node
	ms := milli(g.now())
	switch {
	case ms > maxMilli:
		return 0, 0, fmt.Errorf("%w: the clock is past the end of the ID space", ErrUnavailable)
	case ms > g.ms:
		g.ms, g.seq = ms, 0
	case g.seq < seqMask:
		// Same millisecond, or the clock went back: continue after the last ID.
		g.seq++
	default:
		// Sequence used up for this millisecond (or the clock went back
		// further than it lasts): wait for time to catch up.
		return 0, time.Millisecond / 4, nil
	}
	return g.ms<<lowBits | int64(g.node)<<seqBits | int64(g.seq), 0, nil
}

// milli is t in whole milliseconds since Epoch, 0 before it.
func milli(t time.Time) int64 { return max(t.Sub(Epoch).Milliseconds(), 0) }

// FromTime returns the smallest ID of the millisecond t falls in. Useful as
// a pagination bound ("statuses since t").
func FromTime(t time.Time) int64 { return milli(t) << lowBits }

// Time returns the millisecond an ID was generated in.
func Time(id int64) time.Time {
	return Epoch.Add(time.Duration(id>>lowBits) * time.Millisecond)
}

// Node returns the node field of an ID made by a Generator.
func Node(id int64) int { return int(id>>seqBits) & (Nodes - 1) }
