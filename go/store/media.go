package store

import (
	"context"
	"time"
)

// MediaAttachment is an uploaded file. It belongs to its uploader; posting
// a status with it sets StatusID (once: an attachment is on one status at
// most), and deleting the status deletes it.
type MediaAttachment struct {
	ID        int64
	AccountID int64
	StatusID  int64 // 0 until attached
	// ScheduledStatusID is the scheduled status the upload is reserved
	// for (0 for none): only publishing that one attaches it.
	ScheduledStatusID int64
	Type              string // "image"; video and audio are not accepted
	FileKey           string // the original's key in the file store
	PreviewKey        string // the small preview's
	ContentType       string // of both files
	FileSize          int64  // of the original, in bytes
	Width             int
	Height            int
	SmallWidth        int
	SmallHeight       int
	Blurhash          string
	Description       string
	FocusX            float64 // -1 … 1, Mastodon's focal point
	FocusY            float64
	CreatedAt         time.Time
}

// Media stores media attachments.
type Media interface {
	// PutMediaAttachment inserts m unless its account already has max
	// unattached attachments (ErrLimit then); ErrNotFound if the account
	// does not exist.
	PutMediaAttachment(ctx context.Context, m *MediaAttachment, max int) error
	// GetMediaAttachmentByID matches media_attachments.id.
	GetMediaAttachmentByID(ctx context.Context, id int64) (*MediaAttachment, error)
	// GetMediaAttachmentsByIDs returns the attachments among ids that
	// exist, in no particular order.
	GetMediaAttachmentsByIDs(ctx context.Context, ids []int64) ([]*MediaAttachment, error)
	// UpdateMediaAttachment sets the named columns (description, focus_x,
	// focus_y) of the attachment matching m.ID; ErrNotFound if none.
	UpdateMediaAttachment(ctx context.Context, m *MediaAttachment, columns ...string) error
	// GetStatusMedia returns the attachments of each of statusIDs that has
	// any, in the order the author gave them.
	GetStatusMedia(ctx context.Context, statusIDs []int64) (map[int64][]*MediaAttachment, error)
	// DetachStatusMedia makes the status's attachments unattached uploads
	// again, as uploaded at at (so a client may post them again, "delete and
	// redraft", before the clean-up removes them).
	DetachStatusMedia(ctx context.Context, statusID int64, at time.Time) error
	// ListUnattachedMedia lists attachments neither attached nor reserved
	// by a scheduled status, created before before, oldest first, at most
	// limit.
	ListUnattachedMedia(ctx context.Context, before time.Time, limit int) ([]*MediaAttachment, error)
	// DeleteMediaAttachmentByID deletes the attachment matching id unless it
	// was attached or reserved by a scheduled status meanwhile; ErrNotFound
	// if there is no such unattached one.
	DeleteMediaAttachmentByID(ctx context.Context, id int64) error
	// CountMediaSince counts accountID's attachments created at or after
	// since, attached or not (the upload rate limit).
	CountMediaSince(ctx context.Context, accountID int64, since time.Time) (int64, error)
	// IsMediaFileUsed reports whether any attachment names key as its file
	// or its preview, or any account as its avatar or header (files are
	// shared by identical uploads).
	IsMediaFileUsed(ctx context.Context, key string) (bool, error)
}
