package social

import (
	"context"
	"log/slog"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// Moderator is consulted before a status is stored (the policy plugins).
type Moderator interface {
	// CheckStatus returns the verdict on a draft. An error means moderation
	// itself failed; the service then refuses to post (fail closed is the
	// moderator's decision: a fail-open moderator returns Allow instead).
	CheckStatus(ctx context.Context, d Draft) (Verdict, error)
}

// Draft is what the moderator sees of a status about to be posted.
type Draft struct {
	AccountID   int64
	Username    string
	Text        string
	SpoilerText string
	Visibility  store.Visibility
	Language    string
}

// Verdict is a moderator's decision on a Draft.
type Verdict struct {
	Reject      bool
	Reason      string // why, shown to the author on reject
	Sensitive   bool   // mark the status sensitive
	Text        string // replacement text when Rewritten
	SpoilerText string // replacement spoiler when Rewritten
	Rewritten   bool
}

// Embedder turns text into the vector stored with a status for search.
type Embedder interface {
	// Embed returns the vector for text, or nil when the text has nothing
	// to embed (no words).
	Embed(text string) []float32
}

// Indexer learns about statuses after they are committed (the vector index).
type Indexer interface {
	StatusCreated(ctx context.Context, s *store.Status)
}

// HomeFeed builds a viewer's home timeline (package feed).
type HomeFeed interface {
	Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error)
}

// StatusSearcher answers free-text status queries with candidate IDs, best
// first (package search). The service filters them by visibility.
type StatusSearcher interface {
	SearchStatusIDs(ctx context.Context, query string, k int) ([]int64, error)
}

// Deps are the service's collaborators. Store and IDs are required; a nil
// Moderator allows everything, a nil Embedder stores no vectors, nil Indexers
// are skipped.
type Deps struct {
	Store     store.Store
	IDs       *snowflake.Generator
	Moderator Moderator
	Embedder  Embedder
	Indexer   Indexer
	Home      HomeFeed
	Searcher  StatusSearcher
	Publisher Publisher // events after commit (streaming); nil publishes nothing
	Logger    *slog.Logger
	Now       func() time.Time
}

// Config holds the instance's rules.
type Config struct {
	// MaxStatusChars is the longest status text, counted in runes (Mastodon: 500).
	MaxStatusChars int
	// RegistrationsOpen lets anyone register through the API.
	RegistrationsOpen bool
	// BcryptCost is the password hashing cost; 0 means bcrypt.DefaultCost.
	BcryptCost int
	// BaseURL is the public URL, no trailing slash; mention and hashtag
	// links in rendered content start with it ("" gives relative links).
	BaseURL string
}

// DefaultConfig is what a fresh instance runs with.
func DefaultConfig() Config {
	return Config{MaxStatusChars: 500, RegistrationsOpen: true}
}

// Service implements the social domain on top of a store.
type Service struct {
	store store.Store
	ids   *snowflake.Generator
	mod   Moderator
	emb   Embedder
	index Indexer
	home  HomeFeed
	srch  StatusSearcher
	pub   Publisher
	log   *slog.Logger
	now   func() time.Time
	cfg   Config
	stats statsCache // InstanceStats

	trends trendCaches
}

// New returns a service. It panics if Store or IDs is nil: that is a wiring
// bug, found at start, never per request.
func New(deps Deps, cfg Config) *Service {
	if deps.Store == nil || deps.IDs == nil {
		panic("social.New: Store and IDs are required")
	}
	if cfg.MaxStatusChars <= 0 {
		cfg.MaxStatusChars = DefaultConfig().MaxStatusChars
	}
	s := &Service{
		store: deps.Store, ids: deps.IDs, mod: deps.Moderator, emb: deps.Embedder,
		index: deps.Indexer, home: deps.Home, srch: deps.Searcher, pub: deps.Publisher,
		log: deps.Logger, now: deps.Now, cfg: cfg,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Config returns the rules the service enforces (the instance endpoint shows them).
func (s *Service) Config() Config { return s.cfg }

// nowUTC is the service clock, truncated to what both stores keep.
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
