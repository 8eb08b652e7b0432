package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store counts hits per key in fixed windows that start at a key's first
// hit. Implementations must be safe for concurrent use.
type Store interface {
	// Hit counts one request for key and returns the count in the current
	// window and when that window ends.
	Hit(ctx context.Context, key string, window time.Duration) (count int64, reset time.Time, err error)
}

// Memory is an in-process Store: right for one server process. Expired
// windows are swept at most once per sweep interval, so memory is bounded
// by the keys seen in one window.
type Memory struct {
	mu        sync.Mutex
	windows   map[string]*memWindow
	nextSweep time.Time
	now       func() time.Time
}

type memWindow struct {
	count int64
	reset time.Time
}

// NewMemory returns an empty in-process store.
func NewMemory() *Memory {
	return &Memory{windows: map[string]*memWindow{}, now: time.Now}
}

// Hit implements Store.
func (m *Memory) Hit(_ context.Context, key string, window time.Duration) (int64, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if !now.Before(m.nextSweep) {
		for k, w := range m.windows {
			if !now.Before(w.reset) {
				delete(m.windows, k)
			}
		}
		m.nextSweep = now.Add(min(window, time.Minute))
	}
	w := m.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &memWindow{reset: now.Add(window)}
		m.windows[key] = w
	}
	w.count++
	return w.count, w.reset, nil
}

// Len is the number of keys held (for tests and metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.windows)
}

// Redis keeps the counters in Redis, so every server process shares them.
// A window starts at a key's first hit and ends when Redis expires the key,
// so the processes' clocks need not agree.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedis returns a store over rdb; prefix separates deployments (and
// tests) sharing one Redis.
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix}
}

// hitScript increments the counter and starts its window on the first hit,
// atomically: INCR then PEXPIRE as two commands could leave a key without
// expiry (and so a client blocked forever) if the second were lost.
var hitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`)

// Hit implements Store. The key is wrapped in a hash tag, {rl:<key>}, so
// it maps to one Redis Cluster slot whatever prefix is added.
func (s *Redis) Hit(ctx context.Context, key string, window time.Duration) (int64, time.Time, error) {
	k := s.prefix + "{rl:" + key + "}"
	res, err := hitScript.Run(ctx, s.rdb, []string{k}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redis rate limit: %w", err)
	}
	if len(res) != 2 {
		return 0, time.Time{}, fmt.Errorf("redis rate limit: script returned %d values", len(res))
	}
	return res[0], time.Now().Add(time.Duration(res[1]) * time.Millisecond), nil
}
