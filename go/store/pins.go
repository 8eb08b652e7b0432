package store

import (
	"context"
	"time"
)

// StatusPin is an account's pin of one of its own statuses to its
// profile. Its ID orders the pins (newest pin first).
type StatusPin struct {
	ID        int64
	AccountID int64
	StatusID  int64
	CreatedAt time.Time
}

// Pins stores pinned statuses. A pin goes with its status (ON DELETE
// CASCADE); which statuses may be pinned is the social package's rule.
type Pins interface {
	// PutStatusPin inserts p unless p.AccountID already has max pins, in one
	// transaction so concurrent pins cannot pass the limit together:
	// ErrLimit then; ErrConflict if the status is already pinned by the
	// account; ErrNotFound if the status does not exist.
	PutStatusPin(ctx context.Context, p *StatusPin, max int) error
	// DeleteStatusPin removes the pin (account_id, status_id); ErrNotFound
	// if there is none.
	DeleteStatusPin(ctx context.Context, accountID, statusID int64) error
	// ListStatusPins lists accountID's pins, newest (highest
	// status_pins.id) first.
	ListStatusPins(ctx context.Context, accountID int64) ([]*StatusPin, error)
	// GetPinnedStatusIDs answers, with one query, which of statusIDs
	// accountID has pinned.
	GetPinnedStatusIDs(ctx context.Context, accountID int64, statusIDs []int64) (map[int64]bool, error)
}
