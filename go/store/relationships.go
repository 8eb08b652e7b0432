package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Block is an edge from AccountID to TargetAccountID: AccountID blocks the
// target. Blocks hide both ways; the rule lives in package social.
type Block struct {
	ID              int64
	AccountID       int64
	TargetAccountID int64
	CreatedAt       time.Time
}

// Mute is an edge from AccountID to TargetAccountID. A mute whose ExpiresAt
// is at or before the time a query is asked about is ignored, as if deleted.
type Mute struct {
	ID              int64
	AccountID       int64
	TargetAccountID int64
	Notifications   bool       // also hide notifications from the target
	ExpiresAt       *time.Time // nil: indefinite
	CreatedAt       time.Time
}

// FollowRequest is a pending follow of a locked account. ShowReblogs and
// Notify are the options the follow gets when the request is authorized.
type FollowRequest struct {
	ID              int64
	AccountID       int64 // who asks
	TargetAccountID int64 // the locked account
	ShowReblogs     bool
	Notify          bool
	CreatedAt       time.Time
}

// Relation is everything the store knows about how an account relates to
// one target, for Mastodon's Relationship entity.
type Relation struct {
	TargetID            int64
	Following           bool // account follows target
	ShowingReblogs      bool // of that follow (or of the pending request)
	Notifying           bool // of that follow (or of the pending request)
	FollowedBy          bool
	Blocking            bool
	BlockedBy           bool
	Muting              bool // an unexpired mute
	MutingNotifications bool
	Requested           bool // account asked to follow target
	RequestedBy         bool // target asked to follow account
}

// AccountCount is an account with a number that ranks it (how many of a
// viewer's followees follow it, how many followers it has).
type AccountCount struct {
	AccountID int64
	Count     int64
}

// Relationships stores blocks, mutes, follow requests and dismissed
// suggestions, and answers the relationship questions every read path asks
// (who blocks whom, who is muted). Lists are newest first and paged by the
// ID of the edge row (Page), as Mastodon pages them.
type Relationships interface {
	// PutBlock inserts b and, in the same transaction, deletes the follows
	// both ways (decrementing both accounts' counts for each one deleted),
	// the follow requests both ways and each account from the other's
	// lists; ErrConflict if the block exists (nothing changed).
	PutBlock(ctx context.Context, b *Block) error
	// GetBlock matches (blocks.account_id, blocks.target_account_id).
	GetBlock(ctx context.Context, accountID, targetID int64) (*Block, error)
	// DeleteBlock removes the edge; ErrNotFound if there is none.
	DeleteBlock(ctx context.Context, accountID, targetID int64) error
	// ListBlocks lists the blocks made by accountID inside page, newest
	// (highest blocks.id) first.
	ListBlocks(ctx context.Context, accountID int64, page Page) ([]*Block, error)
	// GetBlockedAndBlockingIDs lists, ascending and without duplicates, the
	// accounts accountID blocks and the accounts that block accountID.
	GetBlockedAndBlockingIDs(ctx context.Context, accountID int64) ([]int64, error)

	// PutMute inserts m, or, when accountID already mutes the target (even
	// with an expired mute), replaces that mute's Notifications and
	// ExpiresAt, keeping its ID and CreatedAt.
	PutMute(ctx context.Context, m *Mute) error
	// GetMute matches (mutes.account_id, mutes.target_account_id) among
	// mutes unexpired at now; ErrNotFound otherwise.
	GetMute(ctx context.Context, accountID, targetID int64, now time.Time) (*Mute, error)
	// DeleteMute removes the edge (expired or not); ErrNotFound if there is none.
	DeleteMute(ctx context.Context, accountID, targetID int64) error
	// ListMutes lists accountID's mutes unexpired at now inside page, newest
	// (highest mutes.id) first.
	ListMutes(ctx context.Context, accountID int64, now time.Time, page Page) ([]*Mute, error)
	// GetMutedIDs lists, ascending, the accounts accountID mutes with a mute
	// unexpired at now.
	GetMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error)
	// GetNotificationMutedIDs lists, ascending, the accounts accountID mutes
	// with a mute unexpired at now that also hides their notifications
	// (mutes.notifications).
	GetNotificationMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error)
	// GetViewerRelations answers GetFollowingIDs, GetBlockedAndBlockingIDs,
	// GetMutedIDs and GetNotificationMutedIDs for accountID at now, and the
	// instance's suspended and silenced accounts, in ONE query: the
	// visibility rule needs all six on every read, and each round trip
	// costs more than the few rows it returns. accountID 0 (an anonymous
	// viewer) has only the last two.
	GetViewerRelations(ctx context.Context, accountID int64, now time.Time) (*ViewerRelations, error)

	// PutFollowRequest inserts fr; ErrConflict if the request exists,
	// ErrBlocked if either account blocks the other (checked inside the
	// transaction, under PutFollow's locks, so a request racing a block
	// cannot outlive it).
	PutFollowRequest(ctx context.Context, fr *FollowRequest) error
	// GetFollowRequest matches (follow_requests.account_id, target_account_id).
	GetFollowRequest(ctx context.Context, accountID, targetID int64) (*FollowRequest, error)
	// DeleteFollowRequest removes the request; ErrNotFound if there is none.
	DeleteFollowRequest(ctx context.Context, accountID, targetID int64) error
	// CountFollowRequests counts the pending requests made TO targetID.
	CountFollowRequests(ctx context.Context, targetID int64) (int64, error)
	// ListFollowRequests lists the requests made TO targetID inside page,
	// newest (highest follow_requests.id) first.
	ListFollowRequests(ctx context.Context, targetID int64, page Page) ([]*FollowRequest, error)
	// AuthorizeFollowRequest turns the request accountID → targetID into a
	// follow with ID followID, the request's options and createdAt, in one
	// transaction: the request is deleted, the follow inserted and both
	// counts incremented. ErrNotFound if there is no request; else
	// ErrConflict if the follow already exists, ErrBlocked if either account
	// blocks the other (then nothing changed).
	AuthorizeFollowRequest(ctx context.Context, accountID, targetID, followID int64, createdAt time.Time) (*Follow, error)

	// GetRelations answers, for accountID and each of targetIDs, the
	// Relation between them, in the order of targetIDs (duplicates kept),
	// with mutes judged at now. It runs a fixed number of queries whatever
	// len(targetIDs).
	GetRelations(ctx context.Context, accountID int64, targetIDs []int64, now time.Time) ([]*Relation, error)

	// ListFriendsOfFriends ranks the discoverable accounts (neither
	// suspended nor silenced, as every suggestion) followed by the
	// accounts accountID follows, by how many of those follow them (most
	// first, then ascending ID), skipping accountID itself, the accounts it
	// already follows and excludeIDs; at most limit.
	ListFriendsOfFriends(ctx context.Context, accountID int64, excludeIDs []int64, limit int) ([]AccountCount, error)
	// ListMostFollowed ranks discoverable accounts (neither suspended nor
	// silenced) by followers_count (most
	// first, then ascending ID), skipping excludeIDs; at most limit. Count
	// is the followers count.
	ListMostFollowed(ctx context.Context, excludeIDs []int64, limit int) ([]AccountCount, error)
	// PutSuggestionDismissal records that accountID does not want targetID
	// suggested; doing it again is not an error.
	PutSuggestionDismissal(ctx context.Context, accountID, targetID int64, createdAt time.Time) error
	// GetDismissedSuggestionIDs lists, ascending, the accounts accountID dismissed.
	GetDismissedSuggestionIDs(ctx context.Context, accountID int64) ([]int64, error)
}

// ViewerRelations is what GetViewerRelations returns: each list ascending
// and without duplicates, nil when empty.
type ViewerRelations struct {
	Following         []int64 // accounts the viewer follows
	BlockedOrBlocking []int64 // accounts the viewer blocks or that block it
	Muted             []int64 // unexpired mutes
	NotificationMuted []int64 // those of Muted whose mute also hides notifications
	// Suspended and Silenced are the instance's accounts with
	// Account.SuspendedAt or SilencedAt set: the same for every viewer.
	Suspended []int64
	Silenced  []int64
}

// Relation kinds of the rows a backend's GetViewerRelations query returns,
// so both backends decode them with AddViewerRelation.
const (
	RelationFollowing = iota
	RelationBlock
	RelationMute             // a mute that leaves notifications alone
	RelationNotificationMute // a mute that also hides notifications
	RelationSuspended        // the account is suspended (any viewer)
	RelationSilenced         // the account is silenced (any viewer)
)

// AddViewerRelation files one (kind, account) row of a GetViewerRelations
// query, in any order; Normalize sorts and de-duplicates after the last.
func (r *ViewerRelations) AddViewerRelation(kind int, id int64) error {
	switch kind {
	case RelationFollowing:
		r.Following = append(r.Following, id)
	case RelationBlock:
		r.BlockedOrBlocking = append(r.BlockedOrBlocking, id)
	case RelationMute:
		r.Muted = append(r.Muted, id)
	case RelationNotificationMute:
		r.Muted = append(r.Muted, id)
		r.NotificationMuted = append(r.NotificationMuted, id)
	case RelationSuspended:
		r.Suspended = append(r.Suspended, id)
	case RelationSilenced:
		r.Silenced = append(r.Silenced, id)
	default:
		return fmt.Errorf("store: unknown relation kind %d", kind)
	}
	return nil
}

// Normalize sorts each list ascending and drops repeats (an account
// blocked both ways comes twice).
func (r *ViewerRelations) Normalize() {
	for _, l := range []*[]int64{&r.Following, &r.BlockedOrBlocking, &r.Muted, &r.NotificationMuted, &r.Suspended, &r.Silenced} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
}
