package presence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultTTL is how long a mark keeps an account online. The streaming
// endpoint marks its viewer every 30 seconds (its ping interval), so an
// open connection keeps the account online; a client without one sends a
// heartbeat about every minute.
const DefaultTTL = 90 * time.Second

// MaxQuery is the most accounts one Online call asks about.
const MaxQuery = 100

// ErrTooMany is returned by Online for more than MaxQuery accounts.
var ErrTooMany = fmt.Errorf("presence: more than %d accounts in one query", MaxQuery)

// Store keeps the marks.
type Store interface {
	// Mark makes id online until ttl from now (a later mark extends it).
	Mark(ctx context.Context, id int64, ttl time.Duration) error
	// Online reports, in the order of ids, whether each is online.
	Online(ctx context.Context, ids []int64) ([]bool, error)
}

// Tracker records presence in a store for the server. It is safe for
// concurrent use.
type Tracker struct {
	store Store
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	sent  map[int64]time.Time // when this process last marked each account in store
	swept time.Time
}

// NewTracker returns a tracker of store with marks lasting ttl
// (DefaultTTL when zero or less).
func NewTracker(store Store, ttl time.Duration) *Tracker {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Tracker{store: store, ttl: ttl, now: time.Now, sent: map[int64]time.Time{}}
}

// TTL is how long a mark lasts.
func (t *Tracker) TTL() time.Duration { return t.ttl }

// Mark makes id online and returns until when (at least). A mark within
// TTL/4 of this process's last one for id is not sent to the store: the
// account is online for at least 3/4 of the TTL still, and a client
// sending heartbeats in a loop costs the store nothing.
func (t *Tracker) Mark(ctx context.Context, id int64) (time.Time, error) {
	now := t.now()
	t.mu.Lock()
	last, ok := t.sent[id]
	if ok && now.Sub(last) < t.ttl/4 && !now.Before(last) {
		t.mu.Unlock()
		return last.Add(t.ttl), nil
	}
	t.sent[id] = now
	t.sweepLocked(now)
	t.mu.Unlock()
	if err := t.store.Mark(ctx, id, t.ttl); err != nil {
		t.mu.Lock()
		if t.sent[id].Equal(now) {
			delete(t.sent, id) // not sent: the next mark tries again
		}
		t.mu.Unlock()
		return time.Time{}, fmt.Errorf("presence: mark %d: %w", id, err)
	}
	return now.Add(t.ttl), nil
}

// sweepLocked forgets, at most once per TTL, the accounts last marked a
// TTL ago or more, so sent holds only the accounts online now.
func (t *Tracker) sweepLocked(now time.Time) {
	if now.Sub(t.swept) < t.ttl {
		return
	}
	t.swept = now
	for id, at := range t.sent {
		if now.Sub(at) >= t.ttl {
			delete(t.sent, id)
		}
	}
}

// Online reports, in the order of ids, whether each account is online;
// ErrTooMany for more than MaxQuery.
func (t *Tracker) Online(ctx context.Context, ids []int64) ([]bool, error) {
	if len(ids) > MaxQuery {
		return nil, ErrTooMany
	}
	if len(ids) == 0 {
		return []bool{}, nil
	}
	on, err := t.store.Online(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("presence: online: %w", err)
	}
	if len(on) != len(ids) {
		return nil, errors.New("presence: store answered for a different number of accounts")
	}
	return on, nil
}
