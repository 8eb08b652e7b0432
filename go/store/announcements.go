package store

import (
	"context"
	"time"
)

// Announcement is an operator's message to every user, shown by clients
// between StartsAt and EndsAt (nil: unbounded). Text is what the operator
// wrote; Content is its rendered HTML.
type Announcement struct {
	ID          int64
	Text        string
	Content     string
	StartsAt    *time.Time
	EndsAt      *time.Time
	AllDay      bool
	PublishedAt time.Time
	UpdatedAt   time.Time
}

// AnnouncementReaction is one account's emoji reaction to an announcement.
type AnnouncementReaction struct {
	AnnouncementID int64
	AccountID      int64
	Name           string // the emoji
	CreatedAt      time.Time
}

// ReactionCount is how many accounts reacted to an announcement with one
// emoji, and whether the asking account is among them.
type ReactionCount struct {
	AnnouncementID int64
	Name           string
	Count          int64
	Me             bool
}

// Announcements stores announcements, who dismissed them and the
// reactions to them. Dismissals and reactions go with their announcement.
type Announcements interface {
	// PutAnnouncement inserts a and, when audit is not nil, appends it to
	// the moderators' log (its AnnouncementID set to a's) in the same
	// transaction.
	PutAnnouncement(ctx context.Context, a *Announcement, audit *AdminAction) error
	// DeleteAnnouncement deletes announcement id with its dismissals and
	// reactions and, when audit is not nil, appends it to the moderators'
	// log in the same transaction; ErrNotFound if there is none (then
	// nothing is logged).
	DeleteAnnouncement(ctx context.Context, id int64, audit *AdminAction) error
	// GetAnnouncementByID matches announcements.id.
	GetAnnouncementByID(ctx context.Context, id int64) (*Announcement, error)
	// ListAnnouncements lists every announcement, newest (highest ID) first.
	ListAnnouncements(ctx context.Context) ([]*Announcement, error)
	// ListActiveAnnouncements lists the announcements whose window holds
	// now (starts_at at or before it, ends_at after it, each bound
	// optional), oldest published first, at most limit.
	ListActiveAnnouncements(ctx context.Context, now time.Time, limit int) ([]*Announcement, error)
	// PutAnnouncementDismissal records that accountID read announcement
	// id; again is not an error. ErrNotFound if the announcement or the
	// account does not exist.
	PutAnnouncementDismissal(ctx context.Context, accountID, id int64) error
	// GetDismissedAnnouncementIDs answers which of ids accountID dismissed.
	GetDismissedAnnouncementIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error)
	// PutAnnouncementReaction inserts r unless the announcement already has
	// maxNames distinct reactions and r.Name is not among them: ErrLimit
	// then; ErrConflict if the account already reacted with r.Name;
	// ErrNotFound if the announcement or the account does not exist.
	PutAnnouncementReaction(ctx context.Context, r *AnnouncementReaction, maxNames int) error
	// DeleteAnnouncementReaction removes accountID's reaction name to
	// announcement id; ErrNotFound if there is none.
	DeleteAnnouncementReaction(ctx context.Context, accountID, id int64, name string) error
	// GetReactionCounts counts the reactions to each of ids by name, with
	// Me set where accountID (0 for nobody) reacted; ascending by
	// announcement, then by the first reaction's time, then by name.
	GetReactionCounts(ctx context.Context, ids []int64, accountID int64) ([]ReactionCount, error)
}
