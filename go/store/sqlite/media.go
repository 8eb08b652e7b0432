package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const mediaColumns = `id, account_id, status_id, scheduled_status_id, type, file_key, preview_key, content_type, file_size,
	width, height, small_width, small_height, blurhash, description, focus_x, focus_y, created_at`

func scanMedia(row scanner) (*store.MediaAttachment, error) {
	var (
		m         store.MediaAttachment
		statusID  sql.NullInt64
		schedID   sql.NullInt64
		createdAt int64
	)
	if err := row.Scan(&m.ID, &m.AccountID, &statusID, &schedID, &m.Type, &m.FileKey, &m.PreviewKey, &m.ContentType, &m.FileSize,
		&m.Width, &m.Height, &m.SmallWidth, &m.SmallHeight, &m.Blurhash, &m.Description, &m.FocusX, &m.FocusY,
		&createdAt); err != nil {
		return nil, err
	}
	m.StatusID, m.ScheduledStatusID, m.CreatedAt = statusID.Int64, schedID.Int64, fromDB(createdAt)
	return &m, nil
}

// PutMediaAttachment inserts m, unattached, unless its account has max
// unattached attachments (media_attachments_account_id_created_at_idx).
func (s *Store) PutMediaAttachment(ctx context.Context, m *store.MediaAttachment, max int) error {
	err := s.insertCapped(ctx,
		`SELECT count(*), 0 FROM media_attachments WHERE account_id = ? AND status_id IS NULL`, []any{m.AccountID}, max,
		`INSERT INTO media_attachments (`+mediaColumns+`) VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.AccountID, m.Type, m.FileKey, m.PreviewKey, m.ContentType, m.FileSize,
		m.Width, m.Height, m.SmallWidth, m.SmallHeight, m.Blurhash, m.Description, m.FocusX, m.FocusY, toDB(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put media %d: %w", m.ID, translateFK(err))
	}
	return nil
}

// GetMediaAttachmentByID matches media_attachments.id.
func (s *Store) GetMediaAttachmentByID(ctx context.Context, id int64) (*store.MediaAttachment, error) {
	m, err := scanMedia(s.r.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media_attachments WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get media %d: %w", id, translate(err))
	}
	return m, nil
}

// GetMediaAttachmentsByIDs matches media_attachments.id against ids.
func (s *Store) GetMediaAttachmentsByIDs(ctx context.Context, ids []int64) ([]*store.MediaAttachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := idList(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d media: %w", len(ids), err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d media: %w", len(ids), err)
	}
	out, err := collect(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d media: %w", len(ids), err)
	}
	return out, nil
}

// UpdateMediaAttachment sets columns (store.MediaUpdates) of the attachment
// matching m.ID.
func (s *Store) UpdateMediaAttachment(ctx context.Context, m *store.MediaAttachment, columns ...string) error {
	if err := s.updateByID(ctx, "media_attachments", store.MediaUpdates(m), columns, m.ID); err != nil {
		return fmt.Errorf("sqlite: update media %d: %w", m.ID, err)
	}
	return nil
}

// GetStatusMedia selects by status_id, ordered by position
// (media_attachments_status_id_idx).
func (s *Store) GetStatusMedia(ctx context.Context, statusIDs []int64) (map[int64][]*store.MediaAttachment, error) {
	out := map[int64][]*store.MediaAttachment{}
	err := s.pairsByStatus(ctx, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id IN (SELECT value FROM json_each(?)) ORDER BY status_id, position`, statusIDs,
		func(r scanner) error {
			m, err := scanMedia(r)
			if err != nil {
				return err
			}
			out[m.StatusID] = append(out[m.StatusID], m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: media of %d statuses: %w", len(statusIDs), err)
	}
	return out, nil
}

// attachMedia attaches ids to the status in order, inside the status's
// write transaction: each must be accountID's, unattached (or on this
// status already) and not reserved by a scheduled status.
func attachMedia(ctx context.Context, tx *sql.Tx, statusID, accountID int64, ids []int64) error {
	for i, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE media_attachments SET status_id = ?, position = ?
			WHERE id = ? AND account_id = ? AND (status_id IS NULL OR status_id = ?) AND scheduled_status_id IS NULL`,
			statusID, i, id, accountID, statusID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return fmt.Errorf("attach media %d: %w", id, conflictIfMissing(err))
		}
	}
	return nil
}

// ListUnattachedMedia selects unattached, unreserved rows created before
// before, oldest first (media_attachments_created_at_idx).
func (s *Store) ListUnattachedMedia(ctx context.Context, before time.Time, limit int) ([]*store.MediaAttachment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id IS NULL AND scheduled_status_id IS NULL AND created_at < ?
		ORDER BY created_at, id LIMIT ?`, toDB(before), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list unattached media: %w", err)
	}
	out, err := collect(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list unattached media: %w", err)
	}
	return out, nil
}

// DeleteMediaAttachmentByID deletes the row matching id while unattached
// and unreserved.
func (s *Store) DeleteMediaAttachmentByID(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM media_attachments WHERE id = ? AND status_id IS NULL AND scheduled_status_id IS NULL`, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete media %d: %w", id, translate(err))
	}
	return nil
}

// IsMediaFileUsed matches file_key, preview_key and the accounts'
// avatar_key and header_key (each indexed).
func (s *Store) IsMediaFileUsed(ctx context.Context, key string) (bool, error) {
	if key == "" { // the accounts without an image have this "key"
		return false, nil
	}
	var used bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM media_attachments WHERE file_key = ?1)
		OR EXISTS (SELECT 1 FROM media_attachments WHERE preview_key = ?1)
		OR EXISTS (SELECT 1 FROM accounts WHERE avatar_key = ?1 OR header_key = ?1)`, key).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("sqlite: media file used: %w", err)
	}
	return used, nil
}

// conflictIfMissing reads "no row matched" in attachMedia as ErrConflict:
// the media is someone else's, gone, or attached meanwhile.
func conflictIfMissing(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrConflict
	}
	return err
}

// CountMediaSince counts by account_id and created_at
// (media_attachments_account_id_created_at_idx).
func (s *Store) CountMediaSince(ctx context.Context, accountID int64, since time.Time) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM media_attachments WHERE account_id = ? AND created_at >= ?`,
		accountID, toDB(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count media of %d: %w", accountID, err)
	}
	return n, nil
}

// DetachStatusMedia clears status_id and restarts the upload clock.
func (s *Store) DetachStatusMedia(ctx context.Context, statusID int64, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE media_attachments SET status_id = NULL, position = 0, created_at = ?
		WHERE status_id = ?`, toDB(at), statusID); err != nil {
		return fmt.Errorf("sqlite: detach media of status %d: %w", statusID, err)
	}
	return nil
}

// editMedia applies an edit's media inside EditStatus's transaction.
func editMedia(ctx context.Context, tx *sql.Tx, w *store.StatusEditWrite) error {
	st := w.Status
	if w.MediaIDs != nil {
		ids := append([]int64{}, *w.MediaIDs...) // never NULL in SQL
		keep, err := jsonArray(ids)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE media_attachments SET status_id = NULL, position = 0, created_at = ?
			WHERE status_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, toDB(w.DetachedAt), st.ID, keep); err != nil {
			return fmt.Errorf("detach media: %w", err)
		}
		if err := attachMedia(ctx, tx, st.ID, st.AccountID, ids); err != nil {
			return err
		}
	}
	for _, m := range w.MediaUpdates {
		res, err := tx.ExecContext(ctx, `UPDATE media_attachments SET description = ?, focus_x = ?, focus_y = ?
			WHERE id = ? AND status_id = ?`, m.Description, m.FocusX, m.FocusY, m.ID, st.ID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return fmt.Errorf("media %d attributes: %w", m.ID, conflictIfMissing(err))
		}
	}
	return nil
}
