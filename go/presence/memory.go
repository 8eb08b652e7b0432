package presence

import (
	"context"
	"sync"
	"time"
)

// Memory keeps marks in this process: what one server process alone
// needs. Its size is the number of accounts marked within the last TTL
// (expired marks are swept as new ones arrive).
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	until  map[int64]time.Time
	swept  time.Time
	maxTTL time.Duration
}

// NewMemory returns an empty in-process store.
func NewMemory() *Memory { return &Memory{now: time.Now, until: map[int64]time.Time{}} }

// Mark implements Store.
func (m *Memory) Mark(_ context.Context, id int64, ttl time.Duration) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maxTTL = max(m.maxTTL, ttl)
	// SET … EX semantics: the new expiry replaces the old one.
	m.until[id] = now.Add(ttl)
	if now.Sub(m.swept) >= m.maxTTL {
		m.swept = now
		for k, u := range m.until {
			if !now.Before(u) {
				delete(m.until, k)
			}
		}
	}
	return nil
}

// Online implements Store.
func (m *Memory) Online(_ context.Context, ids []int64) ([]bool, error) {
	now := m.now()
	out := make([]bool, len(ids))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, id := range ids {
		u, ok := m.until[id]
		out[i] = ok && now.Before(u)
	}
	return out, nil
}
