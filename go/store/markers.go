package store

import (
	"context"
	"time"
)

// Marker timelines, Mastodon's two.
const (
	MarkerHome          = "home"
	MarkerNotifications = "notifications"
)

// Marker is an account's read position in one timeline (home or
// notifications). Version counts the writes, as Mastodon's lock_version.
type Marker struct {
	AccountID  int64
	Timeline   string
	LastReadID int64
	Version    int64
	UpdatedAt  time.Time
}

// AccountPreferences are the posting defaults and reading preferences an
// account keeps (Mastodon's user settings behind GET /api/v1/preferences
// and CredentialAccount.source). Zero values mean "not set": no default
// visibility or language, media shown by the client's default.
type AccountPreferences struct {
	AccountID         int64
	PostingVisibility Visibility // "" when not set
	PostingSensitive  bool
	PostingLanguage   string // "" when not set
	ExpandMedia       string // "default", "show_all", "hide_all"; "" means default
	ExpandSpoilers    bool
	UpdatedAt         time.Time
}

// Markers stores read positions; an account has at most one per timeline,
// so it holds at most two rows.
type Markers interface {
	// PutMarker sets (m.AccountID, m.Timeline)'s last_read_id and
	// updated_at, creating the marker at version 1 or incrementing its
	// version, in one statement; m.Version is set to the stored version.
	PutMarker(ctx context.Context, m *Marker) error
	// GetMarkers returns accountID's markers among timelines, in no
	// particular order; timelines without a marker are absent.
	GetMarkers(ctx context.Context, accountID int64, timelines []string) ([]*Marker, error)
}

// Preferences stores AccountPreferences, one row per account at most.
type Preferences interface {
	// GetAccountPreferences matches account_preferences.account_id; an
	// account that never set any gets its zero AccountPreferences (with
	// AccountID set), not ErrNotFound.
	GetAccountPreferences(ctx context.Context, accountID int64) (*AccountPreferences, error)
	// PutAccountPreferences inserts or replaces p's row; ErrNotFound if
	// the account does not exist.
	PutAccountPreferences(ctx context.Context, p *AccountPreferences) error
}
