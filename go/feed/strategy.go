package feed

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/starling-social/starling/go/store"
)

// Strategy builds home timelines and is told of the committed changes that
// cached timelines hold. Pull ignores the changes; push and hybrid write
// them into their timeline store.
type Strategy interface {
	// Home returns the candidates of viewerID's home page, newest first
	// (social applies the visibility rule to them).
	Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error)
	// NewestHome is Home for a reader that wants a few of the newest
	// candidates (For-you's network) without paying for a whole cached
	// timeline: a cached strategy serves it from a timeline it holds, but
	// reads SQL as pull does rather than build a missing one.
	NewestHome(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error)
	// List returns the candidates of a list's page: the statuses of
	// members (the list's accounts now) that a list shows.
	List(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error)
	// StatusAdded is a committed status, the accounts whose home it
	// reaches (the author first, then the eligible followers) and the
	// lists whose members include its author.
	// An error means some timelines may lack st: the caller delivers it
	// again later (the outbox keeps its event).
	StatusAdded(ctx context.Context, st *store.Status, home, lists []int64) error
	// StatusRemoved is a deleted status and the homes and lists it had
	// reached.
	StatusRemoved(ctx context.Context, id int64, home, lists []int64) error
	// HomeChanged says what accounts' homes select changed (a follow,
	// unfollow, block or mute): they are rebuilt from SQL on next read.
	HomeChanged(ctx context.Context, accountIDs ...int64)
}

// Strategy names, as --feed-strategy takes them.
const (
	StrategyPull   = "pull"
	StrategyPush   = "push"
	StrategyHybrid = "hybrid"
)

// Config chooses and sizes a strategy.
type Config struct {
	Strategy string // pull, push or hybrid
	// CelebrityThreshold: in hybrid, authors with at least this many
	// followers are not fanned out; their statuses are merged at read.
	CelebrityThreshold int
	// Cap is the most status IDs one cached timeline keeps.
	Cap int
	// MemoryBytes bounds the in-process timeline store.
	MemoryBytes int64
}

// DefaultConfig is what `starling serve` runs with unless told otherwise.
func DefaultConfig() Config {
	return Config{Strategy: StrategyHybrid, CelebrityThreshold: 10000, Cap: 800, MemoryBytes: 256 << 20}
}

// Validate reports a configuration that cannot run.
func (c Config) Validate() error {
	switch c.Strategy {
	case StrategyPull, StrategyPush, StrategyHybrid:
	default:
		return fmt.Errorf("feed strategy %q: want pull, push or hybrid", c.Strategy)
	}
	if c.CelebrityThreshold < 1 {
		return fmt.Errorf("celebrity threshold %d: want at least 1", c.CelebrityThreshold)
	}
	if c.Cap < 20 || c.Cap > 100000 {
		return fmt.Errorf("timeline cap %d: want 20 to 100000", c.Cap)
	}
	if c.MemoryBytes < 1<<20 {
		return fmt.Errorf("timeline memory %d bytes: want at least 1 MiB", c.MemoryBytes)
	}
	return nil
}

// Store is what the strategies read from SQL.
type Store interface {
	Reader
	GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error)
}

// New returns the strategy cfg names over st, with an in-process timeline
// store for push and hybrid.
func New(st Store, cfg Config, log *slog.Logger) (Strategy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s, _ := build(st, cfg, log)
	return s, nil
}

// build returns cfg's strategy and its in-process store (nil for pull).
func build(st Store, cfg Config, log *slog.Logger) (Strategy, *Memory) {
	if cfg.Strategy == StrategyPull {
		return NewPull(st), nil
	}
	threshold := 0
	if cfg.Strategy == StrategyHybrid {
		threshold = cfg.CelebrityThreshold
	}
	mem := NewMemory(cfg.Cap, cfg.MemoryBytes)
	return NewCached(st, mem, threshold, log), mem
}

// The pull strategy reads everything at request time: nothing to write.

// StatusAdded does nothing: pull reads SQL.
func (p *Pull) StatusAdded(context.Context, *store.Status, []int64, []int64) error { return nil }

// StatusRemoved does nothing: pull reads SQL.
func (p *Pull) StatusRemoved(context.Context, int64, []int64, []int64) error { return nil }

// HomeChanged does nothing: pull reads SQL.
func (p *Pull) HomeChanged(context.Context, ...int64) {}
