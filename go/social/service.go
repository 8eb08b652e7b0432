package social

import (
	"context"
	"log/slog"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// Moderator is consulted before a status is stored and when an account
// signs up or changes its profile (the policy plugins).
type Moderator interface {
	// CheckStatus returns the verdict on a draft. An error means moderation
	// itself failed; the service then refuses to post (fail closed is the
	// moderator's decision: a fail-open moderator returns Allow instead).
	CheckStatus(ctx context.Context, d Draft) (Verdict, error)
	// CheckAccount returns the verdict on an account at sign-up or after a
	// profile change; Rewritten and Sensitive do not apply. Errors as for
	// CheckStatus.
	CheckAccount(ctx context.Context, d AccountDraft) (Verdict, error)
}

// Draft is what the moderator sees of a status about to be posted or
// edited.
type Draft struct {
	AccountID   int64
	Username    string
	Text        string
	SpoilerText string
	Visibility  store.Visibility
	Language    string
	// StatusID is the status being edited; 0 for a new one.
	StatusID int64

	// The author's account, for rules stricter on new accounts.
	AccountCreatedAt      time.Time
	AccountStatusesCount  int64
	AccountFollowersCount int64
}

// AccountDraft is what the moderator sees of an account.
type AccountDraft struct {
	AccountID   int64 // 0 at sign-up
	Username    string
	DisplayName string
	Note        string
	Signup      bool // sign-up, else a profile change
	CreatedAt   time.Time
}

// Verdict is a moderator's decision on a Draft or an AccountDraft.
type Verdict struct {
	Reject      bool
	Reason      string // why, shown to the author on reject
	Sensitive   bool   // mark the status sensitive
	Text        string // replacement text when Rewritten
	SpoilerText string // replacement spoiler when Rewritten
	Rewritten   bool
	// Flags are the moderators' flags: the status is stored and listed for
	// moderators with them.
	Flags []Flag
}

// Flag is one moderator's flag, with who raised it.
type Flag struct {
	Plugin  string
	Version string
	Reason  string
}

// Ranker orders candidates (search results today; For-you and suggestions
// later). Candidates are already filtered by visibility; the service keeps
// only the returned IDs that were candidates, so a ranker can reorder and
// drop, never widen what a viewer sees.
type Ranker interface {
	// Rank returns candidate IDs, best first. An error means ranking failed
	// and the request cannot be answered (a fail-open ranker returns the
	// order it was given instead).
	Rank(ctx context.Context, r RankRequest) ([]int64, error)
	// Ranking reports whether a ranker is enabled now. When none is, Rank
	// would keep the order it was given, so the service skips it (and
	// For-you filters its candidates lazily, page by page).
	Ranking() bool
}

// RankRequest is one batch of candidates for a viewer.
type RankRequest struct {
	ViewerID   int64  // 0 for anonymous
	Surface    string // "search", "for_you" or "suggestions"
	Query      string
	Candidates []RankCandidate
}

// RankCandidate is a candidate with its features.
type RankCandidate struct {
	ID, AuthorID                 int64
	CreatedAt                    time.Time
	Favourites, Reblogs, Replies int64
	Similarity                   float64 // to the query: 1 for the best match, falling to 0
	FollowingAuthor              bool
}

// Embedder turns text into the vector stored with a status for search.
type Embedder interface {
	// Embed returns the vector for text, or nil when the text has nothing
	// to embed (no words).
	Embed(text string) []float32
}

// Indexer learns about statuses after they are committed (the vector index):
// what is posted is added, what is deleted is removed, by the same path.
type Indexer interface {
	StatusCreated(ctx context.Context, s *store.Status)
	// StatusEdited replaces the status's vector after an edit.
	StatusEdited(ctx context.Context, s *store.Status)
	// StatusesDeleted removes deleted statuses (unknown IDs are ignored).
	StatusesDeleted(ctx context.Context, ids []int64)
	// AccountSuspended takes a suspended account's statuses out of the
	// index, or puts them back when the suspension is lifted.
	AccountSuspended(ctx context.Context, accountID int64, suspended bool)
}

// Recommender scores statuses from what accounts do (package recommend's
// Live: a collaborative model trained in the background, with item
// popularity). Before its first training it returns nil and 0.
type Recommender interface {
	// Recommend returns up to k statuses for an account whose history
	// (favourited, boosted, posted) is given, best first, skipping skip.
	Recommend(history []int64, k int, skip func(int64) bool) []recommend.Scored
	// ForYou ranks the For-you candidates of v (recommend.ForYou on the
	// served model), best first, unfiltered.
	ForYou(v recommend.Viewer, n int) []int64
}

// HomeFeed builds a viewer's home timeline (package feed) and is told of
// the committed changes a cached timeline holds.
type HomeFeed interface {
	Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error)
	// NewestHome is Home without building a missing cached timeline, for
	// a few of the newest candidates (For-you's network).
	NewestHome(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error)
	// List builds a list's timeline: the candidates among the statuses of
	// members (the list's accounts).
	List(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error)
	// StatusAdded: st is committed; home are the accounts whose home it
	// reaches (author, eligible followers; not the followers of its tags,
	// whose statuses the feed reads at request time), lists the lists
	// holding its author.
	// An error means st may be missing from some: deliver it again.
	StatusAdded(ctx context.Context, st *store.Status, home, lists []int64) error
	// StatusRemoved: id was deleted; home and lists are where it had been
	// added.
	StatusRemoved(ctx context.Context, id int64, home, lists []int64) error
	// HomeChanged: what these accounts' homes select changed (follow,
	// unfollow, block, mute).
	HomeChanged(ctx context.Context, accountIDs ...int64)
}

// StatusSearcher answers free-text status queries with candidate IDs, best
// first (package search). The service filters them by visibility.
type StatusSearcher interface {
	SearchStatusIDs(ctx context.Context, query string, k int) ([]int64, error)
}

// MediaProcessor turns uploads into stored files and removes them (package
// media's Library over its file store).
type MediaProcessor interface {
	// StoreMedia processes data and stores its files; the attachment it
	// returns has the file fields set (type, keys, content type, size,
	// dimensions, blurhash), nothing else. A refusal the client can fix (not
	// an image, too large, corrupt) has in its chain an error with an
	// Invalid() string method giving the client-safe reason.
	StoreMedia(ctx context.Context, data []byte) (*store.MediaAttachment, error)
	// StoreProfileImage processes data into a w×h image (cropped to fill)
	// and stores it, returning its key; refusals as for StoreMedia.
	StoreProfileImage(ctx context.Context, data []byte, w, h int) (string, error)
	// RemoveMedia deletes the files under keys; a missing one is no error.
	RemoveMedia(ctx context.Context, keys ...string) error
}

// Deps are the service's collaborators. Store and IDs are required; a nil
// Moderator allows everything, a nil Embedder stores no vectors, nil Indexers
// are skipped.
type Deps struct {
	Store     store.Store
	IDs       *snowflake.Generator
	Moderator Moderator
	Ranker    Ranker // nil keeps the service's own order
	Embedder  Embedder
	Indexer   Indexer
	Home      HomeFeed
	Searcher  StatusSearcher
	// TypeaheadMeaning, when set, adds hashtags and discoverable accounts near in
	// meaning to a prefix that finds few (the typeahead's semantic
	// fallback); nil: prefix only.
	TypeaheadMeaning Embedder
	// Recommender feeds the For-you timeline; nil leaves it to content,
	// network and trends.
	Recommender Recommender
	Publisher   Publisher      // events after commit (streaming); nil publishes nothing
	Media       MediaProcessor // nil: uploads are refused
	Logger      *slog.Logger
	Now         func() time.Time

	// Presence records who is online (package presence); nil: the
	// presence endpoints answer that it is not available.
	Presence PresenceTracker
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
	// Rules are the instance's rules, IDs 1, 2, … in order (reports cite
	// them); none by default.
	Rules []Rule
	// ScheduledLease is how long a process claiming a due scheduled status
	// has to publish it before another may (ScheduledLease when zero).
	ScheduledLease time.Duration
	// ForYouPerAuthor is the most statuses of one author in a viewer's
	// For-you ranking; 0 means 3.
	ForYouPerAuthor int
	// DeliveryWorkers deliver committed statuses (fan-out, streams,
	// search index) off the request, once RunOutboxRelay runs; 0 delivers
	// every status on its request. See outbox.go.
	DeliveryWorkers int
	// InlineAudience: with DeliveryWorkers, a status whose author has at
	// most this many followers is still delivered on its request.
	InlineAudience int
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
	rank  Ranker
	emb   Embedder
	index Indexer
	home  HomeFeed
	srch  StatusSearcher
	tags  *meaningIndex[string]
	accts *meaningIndex[int64]
	recs  Recommender
	pub   Publisher
	media MediaProcessor
	log   *slog.Logger
	now   func() time.Time
	cfg   Config
	done  relayList // outbox events to delete
	retry relayList // statuses whose delivery failed (max maxRetry)
	queue deliveryQueue
	stats statsCache // InstanceStats
	weeks weeksCache // InstanceActivity

	trends    trendCaches
	parts     statusPartsCache // mentions and tags of statuses read recently
	forYou    forYouCache      // each viewer's For-you ranking, briefly
	typeahead typeaheadCache   // short prefixes' account rankings (typeahead.go)

	presence PresenceTracker // who is online (Heartbeat, Presence)
}

// New returns a service. It panics if Store or IDs is nil: that is a wiring
// bug, found at start, never per request.
func New(deps Deps, cfg Config) *Service {
	if deps.Store == nil || deps.IDs == nil {
		panic("social.New: Store and IDs are required")
	}
	if cfg.ForYouPerAuthor <= 0 {
		cfg.ForYouPerAuthor = forYouPerAuthor
	}
	if cfg.MaxStatusChars <= 0 {
		cfg.MaxStatusChars = DefaultConfig().MaxStatusChars
	}
	s := &Service{
		store: deps.Store, ids: deps.IDs, mod: deps.Moderator, rank: deps.Ranker, emb: deps.Embedder,
		tags: newTagMeaning(deps.TypeaheadMeaning, deps.Store), accts: newAccountMeaning(deps.TypeaheadMeaning, deps.Store),
		index: deps.Indexer, home: deps.Home, srch: deps.Searcher, recs: deps.Recommender, pub: deps.Publisher,
		media: deps.Media, log: deps.Logger, now: deps.Now, cfg: cfg,
	}
	s.retry.max = maxRetry
	s.presence = deps.Presence
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

// newID returns a fresh ID for a row op writes. When there is none (this
// process holds no ID node right now, see package snowflake) nothing can be
// written safely: the request fails as KindUnavailable and the client may
// retry.
func (s *Service) newID(ctx context.Context, op string) (int64, error) {
	id, err := s.ids.Next(ctx)
	if err != nil {
		return 0, &Error{Op: op, Kind: KindUnavailable, Safe: "The server cannot write right now; try again later", Err: err}
	}
	return id, nil
}
