package search

import (
	"math"
	"sync/atomic"
	"time"
)

// Counters are an index's operational counts since the process started,
// read by the server's Prometheus collector: how its (re)trainings went
// and what the last recall check measured.
type Counters struct {
	BuildsOK, BuildsFailed atomic.Int64
	lastBuild              atomic.Int64  // nanoseconds of the last successful build
	Checks                 atomic.Int64  // recall checks run
	lastRecall             atomic.Uint64 // math.Float64bits of the last check's recall; NaN before one
}

func newCounters() *Counters {
	c := &Counters{}
	c.lastRecall.Store(math.Float64bits(math.NaN()))
	return c
}

// LastBuild is how long the last successful build took (0 before one).
func (c *Counters) LastBuild() time.Duration { return time.Duration(c.lastBuild.Load()) }

// LastRecall is the recall@k the last check measured, NaN before any.
func (c *Counters) LastRecall() float64 { return math.Float64frombits(c.lastRecall.Load()) }

func (c *Counters) built(took time.Duration, err error) {
	if err != nil {
		c.BuildsFailed.Add(1)
		return
	}
	c.BuildsOK.Add(1)
	c.lastBuild.Store(int64(took))
}

func (c *Counters) checked(recall float64) {
	c.Checks.Add(1)
	c.lastRecall.Store(math.Float64bits(recall))
}

// Counters returns the index's counters.
func (x *Index) Counters() *Counters { return x.counts }

// Trained returns the collection size at the last IVF-PQ training, 0 while
// the index is exact.
func (x *Index) Trained() int {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	return x.trained
}

// Building reports whether a build runs.
func (x *Index) Building() bool { return x.building.Load() }
