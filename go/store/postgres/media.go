package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const mediaColumns = `id, account_id, status_id, scheduled_status_id, type, file_key, preview_key, content_type, file_size,
	width, height, small_width, small_height, blurhash, description, focus_x, focus_y, created_at`

func scanMedia(row pgx.CollectableRow) (*store.MediaAttachment, error) {
	var (
		m        store.MediaAttachment
		statusID *int64
		schedID  *int64
	)
	if err := row.Scan(&m.ID, &m.AccountID, &statusID, &schedID, &m.Type, &m.FileKey, &m.PreviewKey, &m.ContentType, &m.FileSize,
		&m.Width, &m.Height, &m.SmallWidth, &m.SmallHeight, &m.Blurhash, &m.Description, &m.FocusX, &m.FocusY,
		&m.CreatedAt); err != nil {
		return nil, err
	}
	m.StatusID, m.ScheduledStatusID, m.CreatedAt = fromNullID(statusID), fromNullID(schedID), m.CreatedAt.UTC()
	return &m, nil
}

// PutMediaAttachment inserts m, unattached, unless its account has max
// unattached attachments (the account row is locked while counting).
func (s *Store) PutMediaAttachment(ctx context.Context, m *store.MediaAttachment, max int) error {
	err := s.insertCapped(ctx, lockAccount, m.AccountID,
		`SELECT count(*), false FROM media_attachments WHERE account_id = $1 AND status_id IS NULL`, []any{m.AccountID}, max,
		`INSERT INTO media_attachments (`+mediaColumns+`)
		VALUES ($1, $2, NULL, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		m.ID, m.AccountID, m.Type, m.FileKey, m.PreviewKey, m.ContentType, m.FileSize,
		m.Width, m.Height, m.SmallWidth, m.SmallHeight, m.Blurhash, m.Description, m.FocusX, m.FocusY, toDB(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put media %d: %w", m.ID, translateFK(err))
	}
	return nil
}

// GetMediaAttachmentByID matches media_attachments.id.
func (s *Store) GetMediaAttachmentByID(ctx context.Context, id int64) (*store.MediaAttachment, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media_attachments WHERE id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("postgres: get media %d: %w", id, translate(err))
	}
	return m, nil
}

// GetMediaAttachmentsByIDs matches media_attachments.id against ids.
func (s *Store) GetMediaAttachmentsByIDs(ctx context.Context, ids []int64) ([]*store.MediaAttachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media_attachments WHERE id = ANY($1)`, ids)
	out, err := pgx.CollectRows(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d media: %w", len(ids), translate(err))
	}
	return out, nil
}

// UpdateMediaAttachment sets columns (store.MediaUpdates) of the attachment
// matching m.ID.
func (s *Store) UpdateMediaAttachment(ctx context.Context, m *store.MediaAttachment, columns ...string) error {
	if err := s.updateByID(ctx, "media_attachments", store.MediaUpdates(m), columns, m.ID); err != nil {
		return fmt.Errorf("postgres: update media %d: %w", m.ID, err)
	}
	return nil
}

// GetStatusMedia selects by status_id, ordered by position
// (media_attachments_status_id_idx).
func (s *Store) GetStatusMedia(ctx context.Context, statusIDs []int64) (map[int64][]*store.MediaAttachment, error) {
	out := map[int64][]*store.MediaAttachment{}
	if len(statusIDs) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id = ANY($1) ORDER BY status_id, position`, statusIDs)
	list, err := pgx.CollectRows(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("postgres: media of %d statuses: %w", len(statusIDs), translate(err))
	}
	for _, m := range list {
		out[m.StatusID] = append(out[m.StatusID], m)
	}
	return out, nil
}

// attachMedia attaches ids to the status in order, inside the status's
// write transaction: each must be accountID's and unattached (the row lock
// the UPDATE takes makes a racing attach wait, then match nothing).
func attachMedia(ctx context.Context, tx pgx.Tx, statusID, accountID int64, ids []int64) error {
	for i, id := range ids {
		tag, err := tx.Exec(ctx, `UPDATE media_attachments SET status_id = $1, position = $2
			WHERE id = $3 AND account_id = $4 AND (status_id IS NULL OR status_id = $1) AND scheduled_status_id IS NULL`,
			statusID, i, id, accountID)
		if err != nil {
			return fmt.Errorf("attach media %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("attach media %d: %w", id, store.ErrConflict)
		}
	}
	return nil
}

// ListUnattachedMedia selects unattached, unreserved rows created before
// before, oldest first (media_attachments_created_at_idx).
func (s *Store) ListUnattachedMedia(ctx context.Context, before time.Time, limit int) ([]*store.MediaAttachment, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id IS NULL AND scheduled_status_id IS NULL AND created_at < $1
		ORDER BY created_at, id LIMIT $2`, toDB(before), limit)
	out, err := pgx.CollectRows(rows, scanMedia)
	if err != nil {
		return nil, fmt.Errorf("postgres: list unattached media: %w", translate(err))
	}
	return out, nil
}

// DeleteMediaAttachmentByID deletes the row matching id while unattached
// and unreserved.
func (s *Store) DeleteMediaAttachmentByID(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM media_attachments WHERE id = $1 AND status_id IS NULL AND scheduled_status_id IS NULL`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete media %d: %w", id, translate(err))
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
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media_attachments WHERE file_key = $1)
		OR EXISTS (SELECT 1 FROM media_attachments WHERE preview_key = $1)
		OR EXISTS (SELECT 1 FROM accounts WHERE avatar_key = $1 OR header_key = $1)`, key).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("postgres: media file used: %w", err)
	}
	return used, nil
}

// CountMediaSince counts by account_id and created_at
// (media_attachments_account_id_created_at_idx).
func (s *Store) CountMediaSince(ctx context.Context, accountID int64, since time.Time) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM media_attachments WHERE account_id = $1 AND created_at >= $2`,
		accountID, toDB(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count media of %d: %w", accountID, err)
	}
	return n, nil
}

// DetachStatusMedia clears status_id and restarts the upload clock.
func (s *Store) DetachStatusMedia(ctx context.Context, statusID int64, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE media_attachments SET status_id = NULL, position = 0, created_at = $1
		WHERE status_id = $2`, toDB(at), statusID); err != nil {
		return fmt.Errorf("postgres: detach media of status %d: %w", statusID, err)
	}
	return nil
}

// editMedia applies an edit's media inside EditStatus's transaction.
func editMedia(ctx context.Context, tx pgx.Tx, w *store.StatusEditWrite) error {
	st := w.Status
	if w.MediaIDs != nil {
		ids := append([]int64{}, *w.MediaIDs...) // never NULL in SQL
		if _, err := tx.Exec(ctx, `UPDATE media_attachments SET status_id = NULL, position = 0, created_at = $1
			WHERE status_id = $2 AND NOT (id = ANY($3))`, toDB(w.DetachedAt), st.ID, ids); err != nil {
			return fmt.Errorf("detach media: %w", err)
		}
		if err := attachMedia(ctx, tx, st.ID, st.AccountID, ids); err != nil {
			return err
		}
	}
	for _, m := range w.MediaUpdates {
		tag, err := tx.Exec(ctx, `UPDATE media_attachments SET description = $1, focus_x = $2, focus_y = $3
			WHERE id = $4 AND status_id = $5`, m.Description, m.FocusX, m.FocusY, m.ID, st.ID)
		if err != nil {
			return fmt.Errorf("media %d attributes: %w", m.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("media %d attributes: %w", m.ID, store.ErrConflict)
		}
	}
	return nil
}
