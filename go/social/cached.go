package social

import (
	"context"
	"sync"
	"time"
)

// cached holds one value computed from the database and recomputed at most
// once per ttl, for reads that every anonymous caller may ask for and that
// cost far more than serving a copy (trends). Recomputation is
// single-flight: while one caller recomputes a stale value, the others are
// served the stale one; only the very first computation makes callers
// wait. The value is shared: callers must not modify it.
type cached[T any] struct {
	mu         sync.Mutex
	val        T
	at         time.Time // when val was computed; zero: no value yet
	refreshing chan struct{}
}

// get returns the value, computing it with compute when there is none or
// it is older than ttl at now. A failed computation is the computing
// caller's error; the previous value, if any, stays for the others, and
// the next caller tries again.
func (c *cached[T]) get(ctx context.Context, now time.Time, ttl time.Duration, compute func(context.Context) (T, error)) (T, error) {
	for {
		c.mu.Lock()
		have := !c.at.IsZero()
		if have && now.Sub(c.at) < ttl || have && c.refreshing != nil {
			v := c.val
			c.mu.Unlock()
			return v, nil
		}
		if wait := c.refreshing; wait != nil {
			// The first computation is running: wait for it, then look again.
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.refreshing = done
		c.mu.Unlock()

		v, err := compute(ctx)

		c.mu.Lock()
		c.refreshing = nil
		close(done)
		if err == nil {
			c.val, c.at = v, now
		}
		c.mu.Unlock()
		return v, err
	}
}
