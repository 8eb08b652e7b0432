package feed

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/starling-social/starling/go/store"
)

// Switch is the strategy in force, replaceable while the server runs
// (admin API, `starling feed strategy`). A switch installs a strategy
// with an empty timeline store: every cached timeline is rebuilt from SQL
// on its next read, so nothing the old strategy did or skipped (a
// celebrity's statuses never pushed) can leave a timeline short. A status
// committed before the switch is either delivered to the new strategy or
// in SQL before the new one's rebuild reads it, because delivery picks the
// strategy after the commit and a rebuild starts after the switch.
type Switch struct {
	st     Store
	log    *slog.Logger
	shared *Redis     // nil: timelines in process
	mu     sync.Mutex // serializes Set
	cur    atomic.Pointer[current]
	counts Counters
}

type current struct {
	cfg Config
	s   Strategy
	mem *Memory // nil for pull
}

// NewSwitch returns a Switch running cfg's strategy, with its timelines
// in shared (Redis, for every server process) or, when nil, in process.
func NewSwitch(ctx context.Context, st Store, cfg Config, shared *Redis, log *slog.Logger) (*Switch, error) {
	w := &Switch{st: st, log: log, shared: shared}
	if _, err := w.Set(ctx, cfg); err != nil {
		return nil, err
	}
	return w, nil
}

// Set makes cfg's strategy the one in force and returns it; an invalid
// cfg changes nothing.
//
// With Redis, the timelines were built by whatever strategy last ran (this
// process before, or another): they are flushed when that was another
// strategy or threshold, which Redis records.
func (w *Switch) Set(ctx context.Context, cfg Config) (Config, error) {
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := &current{cfg: cfg}
	if w.shared != nil && cfg.Strategy != StrategyPull {
		if err := w.shared.Adopt(ctx, cfg.Strategy+":"+strconv.Itoa(cfg.CelebrityThreshold)); err != nil && w.log != nil {
			// Served from SQL until Redis answers (Redis.Adopt).
			w.log.Warn("feed: Redis unavailable; timelines read from SQL until it answers", "err", err)
		}
		threshold := 0
		if cfg.Strategy == StrategyHybrid {
			threshold = cfg.CelebrityThreshold
		}
		c.s = NewCached(w.st, w.shared, threshold, w.log)
	} else {
		c.s, c.mem = build(w.st, cfg, w.log)
	}
	if cc, ok := c.s.(*Cached); ok {
		cc.counts = &w.counts
	}
	w.cur.Store(c)
	if w.log != nil {
		w.log.Info("feed strategy", "strategy", cfg.Strategy, "celebrity_threshold", cfg.CelebrityThreshold,
			"timeline_cap", cfg.Cap, "timeline_memory_bytes", cfg.MemoryBytes)
	}
	return cfg, nil
}

// Config returns the configuration in force.
func (w *Switch) Config() Config { return w.cur.Load().cfg }

// Stats returns the in-process timeline store's size (zero for pull).
func (w *Switch) Stats() Stats {
	if m := w.cur.Load().mem; m != nil {
		return m.Stats()
	}
	return Stats{}
}

// Counters are the cached strategies' counts since the start, across
// switches.
func (w *Switch) Counters() *Counters { return &w.counts }

// Home is the strategy in force's Home.
func (w *Switch) Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return w.cur.Load().s.Home(ctx, viewerID, page)
}

// NewestHome is the strategy in force's NewestHome.
func (w *Switch) NewestHome(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return w.cur.Load().s.NewestHome(ctx, viewerID, page)
}

// List is the strategy in force's List.
func (w *Switch) List(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error) {
	return w.cur.Load().s.List(ctx, listID, members, page)
}

// StatusAdded is the strategy in force's StatusAdded.
func (w *Switch) StatusAdded(ctx context.Context, st *store.Status, home, lists []int64) error {
	return w.cur.Load().s.StatusAdded(ctx, st, home, lists)
}

// StatusRemoved is the strategy in force's StatusRemoved.
func (w *Switch) StatusRemoved(ctx context.Context, id int64, home, lists []int64) error {
	return w.cur.Load().s.StatusRemoved(ctx, id, home, lists)
}

// HomeChanged is the strategy in force's HomeChanged.
func (w *Switch) HomeChanged(ctx context.Context, accountIDs ...int64) {
	w.cur.Load().s.HomeChanged(ctx, accountIDs...)
}
