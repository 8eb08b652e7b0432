package store

import (
	"context"
	"time"
)

// StatusEdit is one version of an edited status, as
// GET /api/v1/statuses/:id/history lists them: the original (written when
// the status is first edited, stamped with the status's CreatedAt) and each
// edit after it.
type StatusEdit struct {
	ID          int64
	StatusID    int64
	Text        string
	Content     string
	SpoilerText string
	Sensitive   bool
	Language    string
	CreatedAt   time.Time
	// Media are the version's attachments in order, each with its
	// description as it was then (EditStatus records them; the uploads
	// themselves may have changed or gone since).
	Media []EditMedia
}

// EditMedia is one attachment of a version of a status.
type EditMedia struct {
	ID          int64  `json:"id"`
	Description string `json:"description"`
}

// StatusEditWrite is everything an edit stores, in ONE transaction: the new
// version of the status, the version rows, the status's new tags, the
// accounts it newly mentions and the notifications it causes.
type StatusEditWrite struct {
	// Status carries the status's ID and its new Text, Content,
	// SpoilerText, Sensitive, Language, Embedding and EditedAt; its other
	// fields are ignored.
	Status *Status
	// OriginalEditID is the ID the original version gets when the status
	// has no version rows yet (its first edit); EditID the new version's.
	// OriginalEditID < EditID.
	OriginalEditID, EditID int64
	// Tags replace the status's hashtags. Mentions are added to the
	// status's mentions; none is removed, as Mastodon keeps a mention an
	// edit drops (silently), so an account that could read the status
	// still can.
	Tags     []string
	Mentions []int64
	// Notifications go in with the edit (the `update` notifications of
	// those who boosted it).
	Notifications []*Notification
	// MaxVersions bounds the version rows of one status (the original
	// counts): an edit beyond it fails with ErrLimit and stores nothing.
	MaxVersions int
	// MediaIDs, when not nil, become the status's attachments in this
	// order: each must be the author's and unattached or already the
	// status's (else ErrConflict); those it drops become unposted uploads
	// as of DetachedAt.
	MediaIDs   *[]int64
	DetachedAt time.Time
	// MediaUpdates set the description and focus of the status's
	// attachments (media_attributes).
	MediaUpdates []*MediaAttachment
}

// StatusEdits stores the versions of edited statuses.
type StatusEdits interface {
	// EditStatus applies w in one transaction: on the first edit it first
	// copies the status as it stands, with its media, into a version row; it then writes the
	// new version to the status row (a reblog cannot be edited:
	// ErrNotFound, as for a missing status), adds its version row, replaces
	// its tags, adds its new mentions, inserts w.Notifications and applies
	// the media changes; the new version row records the media after them.
	// ErrLimit when the status already has w.MaxVersions versions.
	EditStatus(ctx context.Context, w *StatusEditWrite) error
	// ListStatusEdits lists statusID's versions, oldest (lowest ID) first;
	// empty when the status was never edited.
	ListStatusEdits(ctx context.Context, statusID int64) ([]*StatusEdit, error)
}
