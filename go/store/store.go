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
	// ErrBlocked means a block between the two accounts, either way,
	// forbids the write (a follow that raced a block and lost).
	ErrBlocked = errors.New("store: blocked")
	// ErrLimit means a per-account limit rejected the write (the number of
	// pinned statuses).
	ErrLimit = errors.New("store: limit reached")
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

// CountsOnProfile reports whether a status of visibility v counts in its
// author's StatusesCount and LastStatusAt: every one but direct statuses,
// as Mastodon counts, so the profile does not reveal private messages.
func (v Visibility) CountsOnProfile() bool { return v != VisibilityDirect }

// CountsAsReply reports whether a reply of visibility v counts in its
// parent's RepliesCount: public and unlisted replies only (Mastodon's
// "distributable"), so the count reveals no reply the reader may not see.
func (v Visibility) CountsAsReply() bool {
	return v == VisibilityPublic || v == VisibilityUnlisted
}

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
	// AvatarKey and HeaderKey name the profile images in the media file
	// store; "" for none.
	AvatarKey string
	HeaderKey string
	// Fields are the profile's name/value pairs, in order.
	Fields []ProfileField

	FollowersCount int64
	FollowingCount int64
	StatusesCount  int64      // statuses that CountsOnProfile
	LastStatusAt   *time.Time // of those; nil until the first

	// SuspendedAt and SilencedAt are set by moderators (SetAccountModeration)
	// and nil when not in force. The visibility rule and sign-in read them;
	// PutAccount stores what they hold.
	SuspendedAt *time.Time
	SilencedAt  *time.Time
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
//
// A reblog is a Status too: ReblogOfID names the original, Text and Content
// are empty and the visibility is the reblog's own. The counts are kept by
// the store in the transaction that writes or deletes the rows they count;
// the values a caller sets on a Status it puts are ignored.
type Status struct {
	ID                 int64
	AccountID          int64
	InReplyToID        int64 // 0 when not a reply
	InReplyToAccountID int64 // author of InReplyToID; 0 when not a reply
	ReblogOfID         int64 // 0 when not a reblog
	Text               string
	Content            string
	SpoilerText        string
	Sensitive          bool
	Visibility         Visibility
	Language           string
	CreatedAt          time.Time
	EditedAt           *time.Time // nil until edited
	Embedding          []float32

	RepliesCount    int64 // replies that CountsAsReply
	ReblogsCount    int64
	FavouritesCount int64
}

// StatusWrite is everything posting a status stores, written in ONE
// transaction: the status, the accounts it mentions, its hashtags, the
// notifications it causes and the Idempotency-Key it was posted with.
type StatusWrite struct {
	Status        *Status
	Mentions      []int64  // mentioned account IDs
	Tags          []string // hashtag names, lower case, without '#'
	Notifications []*Notification
	// IdempotencyKey, when not empty, is recorded for (author, key) so a
	// retry finds this status; a key recorded before IdempotencySince is
	// stale and replaced. A live key makes the write fail with ErrConflict.
	IdempotencyKey   string
	IdempotencySince time.Time
	// Flags are the policy plugins' flags on the status, stored with it.
	Flags []StatusFlag
	// MediaIDs are attached to the status in this order; each must be the
	// author's and unattached, else the write fails with ErrConflict (one
	// racing attach of the same media to another status loses).
	MediaIDs []int64
	// Poll, when not nil, is stored with the status (its StatusID and
	// AccountID are the status's).
	Poll *Poll
	// ScheduledID, when not zero, names the author's scheduled status this
	// write publishes: it is deleted in the same transaction, and the write
	// fails with ErrNotFound if it is gone (published by another process,
	// or deleted by its author), so it is published at most once.
	ScheduledID int64
	// OutboxAt, when not zero, adds the status's delivery event to the
	// outbox in the same transaction, claimable from then (the writer
	// delivers it itself first and deletes it; see Outbox).
	OutboxAt time.Time
	// OutboxTraceParent is the W3C traceparent of the posting request's
	// span, kept with the event ("" when not traced): a redelivery links
	// to it.
	OutboxTraceParent string
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
	// DirectMentioning, when nonzero, also selects the direct statuses of
	// AccountIDs that mention this account, whatever Visibilities says
	// (Mastodon delivers a direct status to the mentioned followers' homes).
	DirectMentioning int64
	// HideReblogsOf leaves out the reblogs made by these accounts (follows
	// with show_reblogs off); their own statuses stay.
	HideReblogsOf []int64
	// OnlyMedia keeps only statuses with media attachments (a reblog has
	// none of its own).
	OnlyMedia bool
	Page      Page
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
	// UpdateAccount sets the named columns of the account matching a.ID to
	// a's values: display_name, note, locked, bot, discoverable,
	// password_hash, avatar_key, header_key, fields (counts are the
	// store's own and cannot be set).
	// ErrNotFound if there is no such account.
	UpdateAccount(ctx context.Context, a *Account, columns ...string) error
	// SearchAccounts matches username or display name by case-insensitive
	// prefix (see AccountSearch), never a suspended account, exact username first, then username
	// prefix, then display-name prefix; within each, most followers first,
	// then ascending ID.
	SearchAccounts(ctx context.Context, q AccountSearch) ([]*Account, error)
	// ListDirectory lists the discoverable accounts, neither suspended
	// nor silenced (as Mastodon's directory), for the profile directory: by last_status_at, newest first, accounts that never
	// posted last ("active"), or by id, newest first ("new"); ties by id
	// descending; q.ExcludeIDs never; q.Limit from q.Offset.
	ListDirectory(ctx context.Context, q DirectoryQuery) ([]*Account, error)
}

// AccountSearch is a typeahead query for accounts.
type AccountSearch struct {
	Query      string  // prefix; LIKE wildcards in it match literally
	FollowedBy int64   // nonzero: only accounts this account follows
	ExcludeIDs []int64 // never returned (blocks, chosen by the caller)
	Limit      int     // > 0
	Offset     int     // >= 0
}

// DirectoryQuery is a page of the profile directory.
type DirectoryQuery struct {
	New        bool    // by creation; else by the last status
	ExcludeIDs []int64 // never returned (blocks, chosen by the caller)
	Limit      int     // > 0
	Offset     int     // >= 0
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
	// GetUserTokenByHash matches tokens.hash and returns the token with its
	// account in one query (every signed-in request asks);
	// ErrNotFound when there is no such token, when it is an app-only
	// token (no account) or its account is gone.
	GetUserTokenByHash(ctx context.Context, hash []byte) (*Token, *Account, error)
	// DeleteTokenByHash removes the token; ErrNotFound if there is none.
	DeleteTokenByHash(ctx context.Context, hash []byte) error
}

// Follows stores follow edges and keeps both accounts' counts in step.
type Follows interface {
	// PutFollow inserts f and increments the follower's FollowingCount and the
	// target's FollowersCount in one transaction; ErrConflict if the edge
	// already exists, ErrBlocked if either account blocks the other (checked
	// inside the transaction, so a follow racing a block cannot outlive it);
	// counts unchanged on error.
	PutFollow(ctx context.Context, f *Follow) error
	// GetFollow matches (account_id, target_account_id).
	GetFollow(ctx context.Context, accountID, targetID int64) (*Follow, error)
	// DeleteFollow removes the edge, decrements both counts and removes
	// targetID from accountID's lists (as Mastodon does: a list holds only
	// followed accounts) in one transaction; ErrNotFound if there is no
	// such edge (then nothing changed).
	DeleteFollow(ctx context.Context, accountID, targetID int64) error
	// GetFollowingIDs lists the IDs accountID follows, ascending.
	GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error)
	// GetReblogsHiddenIDs lists, ascending, the accounts accountID follows
	// with show_reblogs off.
	GetReblogsHiddenIDs(ctx context.Context, accountID int64) ([]int64, error)
	// UpdateFollow sets the named columns (show_reblogs, notify) of the edge
	// matching (f.AccountID, f.TargetAccountID); ErrNotFound if there is none.
	UpdateFollow(ctx context.Context, f *Follow, columns ...string) error
	// ListFollowers lists the follows whose target is targetID inside page,
	// newest (highest follow ID) first: Mastodon pages followers by the
	// follow's ID, not the account's.
	ListFollowers(ctx context.Context, targetID int64, page Page) ([]*Follow, error)
	// ListFollowing lists the follows made by accountID inside page, newest
	// (highest follow ID) first.
	ListFollowing(ctx context.Context, accountID int64, page Page) ([]*Follow, error)
}

// Statuses stores posts.
type Statuses interface {
	// PutStatus inserts s and, in the same transaction, increments the
	// author's StatusesCount and sets LastStatusAt (unless s is direct); it
	// is PutStatusWrite with nothing but the status.
	PutStatus(ctx context.Context, s *Status) error
	// PutStatusWrite inserts w.Status with its mentions, tags, notifications
	// and idempotency key in one transaction; a direct status joins the
	// conversations of the accounts it reaches there too (Conversations).
	// It increments the author's StatusesCount (when the status
	// CountsOnProfile), the parent's RepliesCount (when the parent exists
	// and the reply CountsAsReply) and, for a reblog, the original's
	// ReblogsCount. ErrConflict if the ID is taken, the account already
	// reblogged the original, or the idempotency key is live; ErrNotFound
	// if a reblogged original does not exist.
	PutStatusWrite(ctx context.Context, w *StatusWrite) error
	// DeleteStatusByID deletes the status matched by statuses.id with its
	// mentions, tags, favourites, bookmarks, notifications and the reblogs
	// of it, and decrements every count those rows were in, in one
	// transaction. It returns the deleted status and the reblogs deleted
	// with it (ascending by ID); ErrNotFound if none.
	DeleteStatusByID(ctx context.Context, id int64) (*Status, []*Status, error)
	// GetStatusByID matches statuses.id.
	GetStatusByID(ctx context.Context, id int64) (*Status, error)
	// GetStatusesByIDs returns the statuses among ids that exist, in no
	// particular order; missing IDs are skipped.
	GetStatusesByIDs(ctx context.Context, ids []int64) ([]*Status, error)
	// ListStatuses answers a timeline query: newest first, at most
	// q.Page.Limit rows (see Page for the window rules), none by a
	// suspended author.
	ListStatuses(ctx context.Context, q StatusQuery) ([]*Status, error)
	// ListStatusIDs answers q as ListStatuses does, with the IDs alone:
	// what a cached timeline is rebuilt from, without reading the rows.
	ListStatusIDs(ctx context.Context, q StatusQuery) ([]int64, error)
	// ListPublicStatuses answers the public and hashtag timelines: public
	// statuses that are neither reblogs nor replies to someone else, by
	// authors neither suspended nor silenced, newest first inside q.Page.
	ListPublicStatuses(ctx context.Context, q PublicQuery) ([]*Status, error)
	// ListStatusAncestors walks statuses.in_reply_to_id up from id, at most
	// limit statuses, oldest first (the root first); id itself is excluded.
	ListStatusAncestors(ctx context.Context, id int64, limit int) ([]*Status, error)
	// ListStatusDescendants returns the replies to id, their replies and so
	// on, at most limit statuses ascending by id; id itself is excluded.
	ListStatusDescendants(ctx context.Context, id int64, limit int) ([]*Status, error)
	// GetReblog matches the reblog of statusID by accountID
	// (statuses.account_id, statuses.reblog_of_id).
	GetReblog(ctx context.Context, accountID, statusID int64) (*Status, error)
	// ListRebloggedBy lists the reblogs of statusID (reblog_of_id), newest
	// reblog first inside page.
	ListRebloggedBy(ctx context.Context, statusID int64, page Page) ([]*Status, error)
	// GetStatusMentions returns the mentioned account IDs of each of
	// statusIDs that mentions anyone (status_mentions), ascending per status.
	GetStatusMentions(ctx context.Context, statusIDs []int64) (map[int64][]int64, error)
	// GetStatusTags returns the tag names of each of statusIDs that has any
	// (status_tags), ascending per status.
	GetStatusTags(ctx context.Context, statusIDs []int64) (map[int64][]string, error)
	// GetIdempotentStatusID matches the idempotency key (account_id, key)
	// recorded at or after since; ErrNotFound if there is none.
	GetIdempotentStatusID(ctx context.Context, accountID int64, key string, since time.Time) (int64, error)
	// ListStatusEmbeddings pages through every status that has an embedding,
	// ascending by ID, starting after afterID; used to rebuild the vector index.
	ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]StatusEmbedding, error)
	// PutStatusVectors stores each row's vector under embedder
	// (status_vectors), replacing one stored before; a row whose status no
	// longer exists is skipped (deleted while it was being embedded).
	PutStatusVectors(ctx context.Context, embedder string, rows []StatusEmbedding) error
	// ListStatusVectors pages through embedder's vectors, ascending by
	// status ID, starting after afterID, leaving out suspended accounts'
	// statuses: what the live index holds (rebuilds and catch-up read it).
	ListStatusVectors(ctx context.Context, embedder string, afterID int64, limit int) ([]StatusEmbedding, error)
	// ListAccountStatusVectors pages through embedder's vectors of one
	// account's statuses, suspended or not, ascending by status ID,
	// starting after afterID: what a suspension takes out of the index and
	// lifting it puts back.
	ListAccountStatusVectors(ctx context.Context, embedder string, accountID, afterID int64, limit int) ([]StatusEmbedding, error)
	// ListStatusesToEmbed lists statuses (not reblogs) with no vector under
	// embedder, ascending by ID, starting after afterID; Hidden marks those
	// of suspended accounts (embedded and stored, not indexed).
	ListStatusesToEmbed(ctx context.Context, embedder string, afterID int64, limit int) ([]StatusText, error)
	// ListPublicStatusTexts lists public and unlisted statuses (not
	// reblogs), ascending by ID, starting after afterID: what the built-in
	// embedder may be trained on (never what only some may read).
	ListPublicStatusTexts(ctx context.Context, afterID int64, limit int) ([]StatusText, error)
}

// StatusText is what an embedder reads of a status.
type StatusText struct {
	ID          int64
	Text        string
	SpoilerText string
	// Hidden: the author is suspended (ListStatusesToEmbed only).
	Hidden bool
}

// PublicQuery selects the public timeline. Tag filters hold lower-case
// names: a status must carry one of AnyTags (when set), every one of
// AllTags, and none of NoneTags.
type PublicQuery struct {
	AnyTags  []string
	AllTags  []string
	NoneTags []string
	// OnlyMedia keeps only statuses with media attachments.
	OnlyMedia bool
	Page      Page
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
	StatusEdits
	Relationships
	Interactions
	OAuth
	TextSearch
	Trends
	Pins
	Markers
	Preferences
	TagFollows
	FeaturedTags
	ConversationMutes
	AccountNotes
	DomainBlocks
	ProfileViews
	Reports
	Announcements
	Activity
	Moderation
	Outbox
	Filters
	Conversations
	AdminActions
	Media
	Polls
	ScheduledStatuses

	// Migrate applies the backend's embedded migrations that have not run
	// yet, in version order, each in its own transaction.
	Migrate(ctx context.Context) error
	// Ping checks the database answers (used by /readyz).
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
}
