package social

import (
	"context"
	"sync"
	"time"

	"github.com/starling-social/starling/go/store"
)

// instanceStatsTTL is how long instance counts are reused: every client
// fetches the instance at start, and the counts need not be exact to the
// second.
const instanceStatsTTL = 30 * time.Second

// statsCache keeps the last instance counts and when they were read.
type statsCache struct {
	mu    sync.Mutex
	at    time.Time
	stats *store.InstanceStats
}

// InstanceStats returns the instance's counts, read from the store at most
// instanceStatsTTL ago, so the anonymous instance endpoints cost one count
// query per TTL whatever the request rate. ActiveMonth counts accounts that
// posted in the last 30 days (Mastodon counts logins; we keep no login
// times).
func (s *Service) InstanceStats(ctx context.Context) (*store.InstanceStats, error) {
	const op = "social.InstanceStats"
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.nowUTC()
	if c.stats != nil && now.Sub(c.at) < instanceStatsTTL {
		return c.stats, nil
	}
	st, err := s.store.GetInstanceStats(ctx, now.Add(-30*24*time.Hour))
	if err != nil {
		return nil, internal(op, err)
	}
	c.stats, c.at = st, now
	return st, nil
}
