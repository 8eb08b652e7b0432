package store

import (
	"context"
	"time"
)

// ScheduledStatus is a status an account posted for later: its parameters
// as the service encoded them, published at ScheduledAt by whichever server
// process claims it (see ClaimDueScheduledStatuses).
type ScheduledStatus struct {
	ID          int64
	AccountID   int64
	ScheduledAt time.Time
	Params      []byte // the service's encoding of the status to post
	CreatedAt   time.Time
	// MediaIDs are the account's unposted uploads the status will carry,
	// in order: PutScheduledStatus reserves them (MediaAttachment.
	// ScheduledStatusID) so no other status takes them and the clean-up of
	// unposted uploads keeps them. Written only; the service keeps the
	// list in Params.
	MediaIDs []int64
	// IdempotencyKey is the Idempotency-Key of the request that scheduled
	// the status ("" for none); a key is live from CreatedAt for the
	// service's window. Written only.
	IdempotencyKey string
	// IdempotencySince is the start of that window when writing: the same
	// key on a row created before it is dead and released.
	IdempotencySince time.Time
}

// ScheduledLimits are the per-account caps on scheduled statuses: Total
// pending at once, and Daily pending for one UTC day (the day of their
// scheduled_at), as Mastodon counts them.
type ScheduledLimits struct {
	Total int
	Daily int
}

// ScheduledStatuses stores scheduled statuses. A scheduled status leaves
// the table in the transaction that publishes it (StatusWrite.ScheduledID),
// so it is published at most once whatever the claims did; the claim lease
// only keeps two processes from doing the work twice.
type ScheduledStatuses interface {
	// PutScheduledStatus inserts s unless its account is at a cap
	// (ErrLimit); ErrNotFound if the account does not exist; ErrConflict if
	// one of s.MediaIDs is not the account's unposted, unreserved upload,
	// or s.IdempotencyKey is live on another of the account's rows. Nothing
	// is written on error.
	PutScheduledStatus(ctx context.Context, s *ScheduledStatus, lim ScheduledLimits) error
	// GetScheduledStatusByIdempotencyKey returns accountID's scheduled
	// status created at or after since with key; ErrNotFound if none.
	GetScheduledStatusByIdempotencyKey(ctx context.Context, accountID int64, key string, since time.Time) (*ScheduledStatus, error)
	// GetScheduledStatus returns accountID's scheduled status id;
	// ErrNotFound if there is none (or it is someone else's).
	GetScheduledStatus(ctx context.Context, accountID, id int64) (*ScheduledStatus, error)
	// ListScheduledStatuses pages accountID's scheduled statuses by ID,
	// newest first.
	ListScheduledStatuses(ctx context.Context, accountID int64, page Page) ([]*ScheduledStatus, error)
	// RescheduleStatus moves accountID's scheduled status id to at unless
	// that day is at the daily cap (ErrLimit); ErrNotFound if there is none.
	RescheduleStatus(ctx context.Context, accountID, id int64, at time.Time, lim ScheduledLimits) error
	// DeleteScheduledStatus deletes accountID's scheduled status id,
	// freeing its media (unposted uploads again); ErrNotFound if there is
	// none.
	DeleteScheduledStatus(ctx context.Context, accountID, id int64) error
	// ClaimDueScheduledStatuses leases up to limit statuses scheduled at or
	// before now and not under another live lease, oldest first, until
	// now+lease. Concurrent claimers get disjoint statuses.
	ClaimDueScheduledStatuses(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*ScheduledStatus, error)
}
