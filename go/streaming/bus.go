package streaming

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Kind is the Mastodon streaming event name.
type Kind string

// Event kinds, as Mastodon names them on the wire.
const (
	KindUpdate       Kind = "update"
	KindDelete       Kind = "delete"
	KindNotification Kind = "notification"
	KindStatusUpdate Kind = "status.update"
	KindConversation Kind = "conversation"
	// KindFiltersChanged tells the user streams of its Accounts that their
	// filters changed; every process also reloads what it keeps of them.
	KindFiltersChanged Kind = "filters_changed"
	// KindRelationship is internal, never sent to a client: a follow, block
	// or mute between Accounts changed, so whatever a process keeps in
	// memory about those accounts' relationships must be reloaded.
	KindRelationship Kind = "relationship"
	// KindSessionsRevoked is internal, never sent to a client: the
	// Accounts may no longer be signed in (a moderator suspended them), so
	// every process closes their streaming connections at once.
	KindSessionsRevoked Kind = "sessions_revoked"
	// KindAccountsReinstated is internal, never sent to a client: the
	// Accounts' suspension was lifted, so every process puts their
	// statuses back into its search index (KindSessionsRevoked took them
	// out).
	KindAccountsReinstated Kind = "accounts_reinstated"
)

// Message is one event on the bus. It carries IDs, not rendered entities:
// each receiving process renders for each client, so per-viewer fields and
// visibility are decided at delivery, with the data current then.
type Message struct {
	Kind Kind `json:"kind"`
	// Streams are the stream keys the event belongs on, e.g. "user:42",
	// "user:notification:42", "public", "public:local", "hashtag:cats",
	// "list:7", "direct:42".
	Streams        []string `json:"streams"`
	StatusID       int64    `json:"status_id,omitempty"`
	NotificationID int64    `json:"notification_id,omitempty"`
	// Accounts are the accounts a KindRelationship, KindFiltersChanged,
	// KindSessionsRevoked or KindAccountsReinstated message names.
	Accounts []int64 `json:"accounts,omitempty"`
}

// Bus moves messages to every subscriber, in every process it connects.
type Bus interface {
	// Publish sends m; it does not wait for delivery.
	Publish(ctx context.Context, m Message) error
	// Subscribe returns a channel of messages and a function that ends the
	// subscription (and closes the channel).
	Subscribe() (<-chan Message, func())
	// Close stops the bus; subscriptions end.
	Close() error
}

// subscriberBuffer is how many messages may queue for one subscriber. A
// subscriber that falls this far behind loses messages (counted and logged)
// rather than stalling every other subscriber.
const subscriberBuffer = 256

// fanout delivers to local subscribers; both buses use it.
type fanout struct {
	mu      sync.Mutex
	subs    map[chan Message]struct{}
	closed  bool
	dropped atomic.Int64
	log     *slog.Logger
}

func newFanout(log *slog.Logger) *fanout {
	if log == nil {
		log = slog.Default()
	}
	return &fanout{subs: map[chan Message]struct{}{}, log: log}
}

func (f *fanout) subscribe() (<-chan Message, func()) {
	ch := make(chan Message, subscriberBuffer)
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		close(ch)
		return ch, func() {}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if _, ok := f.subs[ch]; ok {
				delete(f.subs, ch)
				close(ch)
			}
		})
	}
}

func (f *fanout) deliver(m Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- m:
		default:
			if n := f.dropped.Add(1); n&(n-1) == 0 { // log at powers of two
				f.log.Warn("streaming: slow subscriber, message dropped", "dropped_total", n)
			}
		}
	}
}

func (f *fanout) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for ch := range f.subs {
		close(ch)
	}
	f.subs = nil
}

// Local is the in-process bus.
type Local struct {
	f *fanout
}

// NewLocal returns an in-process bus.
func NewLocal(log *slog.Logger) *Local { return &Local{f: newFanout(log)} }

// Publish delivers m to this process's subscribers.
func (l *Local) Publish(_ context.Context, m Message) error {
	l.f.deliver(m)
	return nil
}

// Subscribe implements Bus.
func (l *Local) Subscribe() (<-chan Message, func()) { return l.f.subscribe() }

// Close implements Bus.
func (l *Local) Close() error {
	l.f.close()
	return nil
}
