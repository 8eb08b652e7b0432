package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends wrap their driver errors so that callers can test
// with errors.Is and never need to know which database answered.
var (
	// ErrNotFound means no row matched the lookup.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a uniqueness constraint rejected the write
	// (a taken username, a duplicate follow, a reused client ID).
	ErrConflict = errors.New("store: conflict")
)

// Visibility says who may read a status. The values are Mastodon's.
type Visibility string

// Visibilities, in Mastodon's order from widest to narrowest audience.
const (
	VisibilityPublic   Visibility = "public"
	VisibilityUnlisted Visibility = "unlisted"
	VisibilityPrivate  Visibility = "private"
	VisibilityDirect   Visibility = "direct"
)

// Account is a local user. Counts are maintained by the store in the same
// transaction as the rows they count, so they never drift from them.
type Account struct {
	ID           int64
	Username     string // unique, compared case-insensitively
	DisplayName  string
	Note         string
	PasswordHash string // never leaves the social package
	Locked       bool
	Bot          bool
	Discoverable bool
	CreatedAt    time.Time

	FollowersCount int64
	FollowingCount int64
	StatusesCount  int64
	LastStatusAt   *time.Time // nil until the first status
}

// App is an OAuth client registered through POST /api/v1/apps.
type App struct {
	ID           int64
	Name         string
	Website      string
	RedirectURIs string // space-separated, as Mastodon accepts them
	Scopes       string // space-separated
	ClientID     string // unique
	ClientSecret string
	CreatedAt    time.Time
}

// Token is an OAuth access token. Only the SHA-256 of the secret is stored,
// so a leaked database does not leak working credentials.
type Token struct {
	ID        int64
	AppID     int64
	AccountID int64  // 0 for a client_credentials token (no user)
	Hash      []byte // SHA-256 of the bearer secret; unique
	Scopes    string // space-separated
	CreatedAt time.Time
}

// Follow is an edge from AccountID to TargetAccountID.
type Follow struct {
	ID              int64
	AccountID       int64
	TargetAccountID int64
	ShowReblogs     bool
	Notify          bool
	CreatedAt       time.Time
}

// Status is a post. Content is the rendered, safe HTML; Text is the source the
// author typed. Embedding is the search vector for the text (nil if none).
type Status struct {
	ID          int64
	AccountID   int64
	InReplyToID int64 // 0 when not a reply
	Text        string
	Content     string
	SpoilerText string
	Sensitive   bool
	Visibility  Visibility
	Language    string
	CreatedAt   time.Time
	Embedding   []float32
}

// Page is a Mastodon-style ID window. All bounds are exclusive; zero means
// unbounded. With MinID set, the page holds the statuses immediately newer
// than MinID (still returned newest first); otherwise it holds the newest
// ones below MaxID and above SinceID.
type Page struct {
	MaxID   int64
	SinceID int64
	MinID   int64
	Limit   int // must be > 0
}

// StatusQuery selects statuses for timelines: those authored by any of
// AccountIDs, with a visibility in Visibilities, inside Page.
type StatusQuery struct {
	AccountIDs   []int64
	Visibilities []Visibility
	Page         Page
}

// Accounts stores local accounts.
type Accounts interface {
	// PutAccount inserts a; it returns ErrConflict if the username is taken
	// (case-insensitively).
	PutAccount(ctx context.Context, a *Account) error
	// GetAccountByID matches accounts.id.
	GetAccountByID(ctx context.Context, id int64) (*Account, error)
	// GetAccountByUsername matches accounts.username case-insensitively.
	GetAccountByUsername(ctx context.Context, username string) (*Account, error)
	// GetAccountsByIDs returns the accounts among ids that exist, in no
	// particular order; missing IDs are skipped, not an error.
	GetAccountsByIDs(ctx context.Context, ids []int64) ([]*Account, error)
}

// Apps stores OAuth client applications.
type Apps interface {
	// PutApp inserts app; ErrConflict if the client ID is taken.
	PutApp(ctx context.Context, app *App) error
	// GetAppByClientID matches apps.client_id.
	GetAppByClientID(ctx context.Context, clientID string) (*App, error)
}

// Tokens stores OAuth access tokens by hash.
type Tokens interface {
	// PutToken inserts t; ErrConflict if the hash exists.
	PutToken(ctx context.Context, t *Token) error
	// GetTokenByHash matches tokens.hash.
	GetTokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// DeleteTokenByHash removes the token; ErrNotFound if there is none.
	DeleteTokenByHash(ctx context.Context, hash []byte) error
}

// Follows stores follow edges and keeps both accounts' counts in step.
type Follows interface {
	// PutFollow inserts f and increments the follower's FollowingCount and the
	// target's FollowersCount in one transaction; ErrConflict if the edge
	// already exists (counts unchanged).
	PutFollow(ctx context.Context, f *Follow) error
	// GetFollow matches (account_id, target_account_id).
	GetFollow(ctx context.Context, accountID, targetID int64) (*Follow, error)
	// DeleteFollow removes the edge and decrements both counts in one
	// transaction; ErrNotFound if there is no such edge.
	DeleteFollow(ctx context.Context, accountID, targetID int64) error
	// GetFollowingIDs lists the IDs accountID follows, ascending.
	GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error)
}

// Statuses stores posts.
type Statuses interface {
	// PutStatus inserts s and, in the same transaction, increments the
	// author's StatusesCount and sets LastStatusAt.
	PutStatus(ctx context.Context, s *Status) error
	// GetStatusByID matches statuses.id.
	GetStatusByID(ctx context.Context, id int64) (*Status, error)
	// GetStatusesByIDs returns the statuses among ids that exist, in no
	// particular order; missing IDs are skipped.
	GetStatusesByIDs(ctx context.Context, ids []int64) ([]*Status, error)
	// ListStatuses answers a timeline query: newest first, at most
	// q.Page.Limit rows (see Page for the window rules).
	ListStatuses(ctx context.Context, q StatusQuery) ([]*Status, error)
	// ListStatusEmbeddings pages through every status that has an embedding,
	// ascending by ID, starting after afterID; used to rebuild the vector index.
	ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]StatusEmbedding, error)
}

// StatusEmbedding is one row of the vector-index rebuild scan.
type StatusEmbedding struct {
	StatusID  int64
	Embedding []float32
}

// Store is everything a backend provides.
type Store interface {
	Accounts
	Apps
	Tokens
	Follows
	Statuses
	Relationships
	Interactions

	// Migrate applies the backend's embedded migrations that have not run
	// yet, in version order, each in its own transaction.
	Migrate(ctx context.Context) error
	// Ping checks the database answers (used by /readyz).
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
}
