package snowflake

import (
	"sync"
	"time"
)

// Epoch is the zero of the ID clock.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	seqBits = 12
	seqMask = 1<<seqBits - 1
	// MaxID is the largest ID that fits in 53 bits.
	MaxID = 1<<53 - 1
)

// Generator hands out strictly increasing IDs. It is safe for concurrent use.
type Generator struct {
	mu   sync.Mutex
	now  func() time.Time
	last int64 // last ID returned
}

// New returns a generator reading the wall clock.
func New() *Generator { return &Generator{now: time.Now} }

// Next returns an ID greater than every ID this generator returned before,
// even if the wall clock steps backwards.
func (g *Generator) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		id := FromTime(g.now())
		if id > g.last {
			g.last = id
			return id
		}
		if g.last&seqMask != seqMask {
			g.last++
			return g.last
		}
		// Sequence exhausted for this millisecond (or the clock went back
		// further than 4096 IDs): wait for time to catch up.
		time.Sleep(time.Millisecond / 4)
	}
}

// FromTime returns the smallest ID of the millisecond t falls in. Useful as
// a pagination bound ("statuses since t").
func FromTime(t time.Time) int64 {
	ms := t.Sub(Epoch).Milliseconds()
	if ms < 0 {
		ms = 0
	}
	return ms << seqBits
}

// Time returns the millisecond an ID was generated in.
func Time(id int64) time.Time {
	return Epoch.Add(time.Duration(id>>seqBits) * time.Millisecond)
}
