package social

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// Media limits. The description limit is Mastodon's; the rate is
// Mastodon's upload limit (30 per 30 minutes per account); the cap on
// unattached uploads bounds what one account keeps on disk between
// clean-ups, far above what composing posts needs.
const (
	MaxMediaDescription = 1500
	MaxMediaAttachments = 4
	MediaUploadsPerRate = 30
	MediaUploadWindow   = 30 * time.Minute
	maxUnattachedMedia  = 100
	UnattachedMediaTTL  = 24 * time.Hour
	pruneMediaBatch     = 100
	MediaTypeImage      = "image"
)

// MediaInput is an upload with its optional description and focal point
// ("x,y", each -1 … 1).
type MediaInput struct {
	Data        []byte
	Description string
	Focus       string
}

// MediaUpdate changes an upload's description or focal point; nil fields
// stay as they are.
type MediaUpdate struct {
	Description *string
	Focus       *string
}

// mediaInvalid is what a MediaProcessor's refusals carry (media.Error).
type mediaInvalid interface{ Invalid() string }

// UploadMedia processes and stores an upload of the viewer's, unattached
// until a status names it.
func (s *Service) UploadMedia(ctx context.Context, viewer *store.Account, in MediaInput) (*store.MediaAttachment, error) {
	const op = "social.UploadMedia"
	if s.media == nil {
		return nil, invalid(op, "Validation failed: media uploads are not enabled on this server")
	}
	if err := checkDescription(op, in.Description); err != nil {
		return nil, err
	}
	fx, fy, err := parseFocus(op, in.Focus)
	if err != nil {
		return nil, err
	}
	n, err := s.store.CountMediaSince(ctx, viewer.ID, s.nowUTC().Add(-MediaUploadWindow))
	if err != nil {
		return nil, internal(op, err)
	}
	if n >= MediaUploadsPerRate {
		return nil, &Error{Op: op, Kind: KindRateLimited, Safe: "Too many uploads, try again later"}
	}
	m, err := s.media.StoreMedia(ctx, in.Data)
	if err != nil {
		return nil, mediaError(op, err)
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		s.removeUnusedFiles(ctx, m)
		return nil, err
	}
	m.ID, m.AccountID, m.Description, m.FocusX, m.FocusY, m.CreatedAt = id, viewer.ID, in.Description, fx, fy, s.nowUTC()
	if err := s.store.PutMediaAttachment(ctx, m, maxUnattachedMedia); err != nil {
		s.removeUnusedFiles(ctx, m)
		if errors.Is(err, store.ErrLimit) {
			return nil, invalid(op, fmt.Sprintf("Validation failed: at most %d uploads may wait to be posted", maxUnattachedMedia))
		}
		return nil, internal(op, err)
	}
	return m, nil
}

// ownUnattached loads an upload of the viewer's not posted yet: Mastodon
// shows and changes only those through /api/v1/media/:id; anything else is
// not found, so other accounts' uploads stay unknown.
func (s *Service) ownUnattached(ctx context.Context, op string, viewer *store.Account, id int64) (*store.MediaAttachment, error) {
	m, err := s.store.GetMediaAttachmentByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (m.AccountID != viewer.ID || m.StatusID != 0)) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return m, nil
}

// GetMedia returns one of the viewer's unattached uploads.
func (s *Service) GetMedia(ctx context.Context, viewer *store.Account, id int64) (*store.MediaAttachment, error) {
	return s.ownUnattached(ctx, "social.GetMedia", viewer, id)
}

// UpdateMedia sets the description or focal point of one of the viewer's
// unattached uploads.
func (s *Service) UpdateMedia(ctx context.Context, viewer *store.Account, id int64, in MediaUpdate) (*store.MediaAttachment, error) {
	const op = "social.UpdateMedia"
	m, err := s.ownUnattached(ctx, op, viewer, id)
	if err != nil {
		return nil, err
	}
	var cols []string
	if in.Description != nil {
		if err := checkDescription(op, *in.Description); err != nil {
			return nil, err
		}
		m.Description, cols = *in.Description, append(cols, "description")
	}
	if in.Focus != nil {
		if m.FocusX, m.FocusY, err = parseFocus(op, *in.Focus); err != nil {
			return nil, err
		}
		cols = append(cols, "focus_x", "focus_y")
	}
	if err := s.store.UpdateMediaAttachment(ctx, m, cols...); err != nil {
		return nil, internal(op, err)
	}
	return m, nil
}

// DeleteMedia deletes one of the viewer's unattached uploads and its files.
func (s *Service) DeleteMedia(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.DeleteMedia"
	m, err := s.ownUnattached(ctx, op, viewer, id)
	if err != nil {
		return err
	}
	if m.ScheduledStatusID != 0 {
		return invalid(op, "Media attachment is currently used by a scheduled status")
	}
	if err := s.store.DeleteMediaAttachmentByID(ctx, id); errors.Is(err, store.ErrNotFound) {
		return notFound(op, "Record not found") // posted meanwhile
	} else if err != nil {
		return internal(op, err)
	}
	s.removeUnusedFiles(ctx, m)
	return nil
}

// PruneMedia deletes uploads never posted within UnattachedMediaTTL, with
// their files, and returns how many went. The server runs it periodically.
func (s *Service) PruneMedia(ctx context.Context) (int, error) {
	const op = "social.PruneMedia"
	n := 0
	for {
		old, err := s.store.ListUnattachedMedia(ctx, s.nowUTC().Add(-UnattachedMediaTTL), pruneMediaBatch)
		if err != nil {
			return n, internal(op, err)
		}
		for _, m := range old {
			if err := s.store.DeleteMediaAttachmentByID(ctx, m.ID); errors.Is(err, store.ErrNotFound) {
				continue // posted or deleted meanwhile
			} else if err != nil {
				return n, internal(op, err)
			}
			s.removeUnusedFiles(ctx, m)
			n++
		}
		if len(old) < pruneMediaBatch {
			return n, nil
		}
	}
}

// removeUnusedFiles deletes the files of media whose rows are gone.
func (s *Service) removeUnusedFiles(ctx context.Context, ms ...*store.MediaAttachment) {
	for _, m := range ms {
		s.removeUnusedKeys(ctx, m.FileKey, m.PreviewKey)
	}
}

// removeUnusedKeys deletes the files under keys that no attachment or
// account names any more (an identical upload shares a file). A failure is
// logged, not returned: the row is gone already, and a file left behind
// costs disk, not correctness.
func (s *Service) removeUnusedKeys(ctx context.Context, keys ...string) {
	if s.media == nil {
		return
	}
	for _, key := range keys {
		used, err := s.store.IsMediaFileUsed(ctx, key)
		if err == nil && !used {
			err = s.media.RemoveMedia(ctx, key)
		}
		if err != nil {
			s.log.WarnContext(ctx, "media file not removed", "key", key, "err", err)
		}
	}
}

// statusMedia checks the media a status names: at most
// MaxMediaAttachments, no repeats, each the author's and not posted yet, or
// already on statusID (an edit; 0 for a new status), and not reserved by a
// scheduled status other than scheduledID (the one being published; 0 for
// none).
func (s *Service) statusMedia(ctx context.Context, op string, author *store.Account, ids []int64, statusID, scheduledID int64) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxMediaAttachments {
		return invalid(op, fmt.Sprintf("Validation failed: at most %d media attachments are allowed", MaxMediaAttachments))
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return invalid(op, "Validation failed: a media attachment is named twice")
		}
		seen[id] = true
	}
	found, err := s.store.GetMediaAttachmentsByIDs(ctx, ids)
	if err != nil {
		return internal(op, err)
	}
	ok := 0
	for _, m := range found {
		if m.AccountID == author.ID && (m.StatusID == 0 || m.StatusID == statusID) &&
			(m.ScheduledStatusID == 0 || m.ScheduledStatusID == scheduledID) {
			ok++
		}
	}
	if ok != len(ids) {
		return invalid(op, "Validation failed: media_ids must name your own uploads not posted yet")
	}
	return nil
}

func checkDescription(op, d string) error {
	if utf8.RuneCountInString(d) > MaxMediaDescription {
		return invalid(op, fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", MaxMediaDescription))
	}
	return nil
}

// parseFocus reads Mastodon's focal point "x,y", each in [-1, 1]; "" is
// the centre.
func parseFocus(op, f string) (float64, float64, error) {
	if strings.TrimSpace(f) == "" {
		return 0, 0, nil
	}
	xs, ys, ok := strings.Cut(f, ",")
	x, errX := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, errY := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	if !ok || errX != nil || errY != nil || !inUnit(x) || !inUnit(y) {
		return 0, 0, invalid(op, "Validation failed: focus must be two numbers from -1 to 1, as \"x,y\"")
	}
	return x, y, nil
}

func inUnit(v float64) bool { return !math.IsNaN(v) && v >= -1 && v <= 1 }
