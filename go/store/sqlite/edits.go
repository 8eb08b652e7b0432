package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// EditStatus applies w in one IMMEDIATE transaction, which also orders
// concurrent edits of one status (the version count cannot be passed by
// two of them together).
func (s *Store) EditStatus(ctx context.Context, w *store.StatusEditWrite) error {
	st := w.Status
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var versions int
		if err := tx.QueryRowContext(ctx,
			`SELECT count(*) FROM status_edits WHERE status_id = ?`, st.ID).Scan(&versions); err != nil {
			return err
		}
		if versions == 0 {
			// The first edit keeps the original as the first version.
			res, err := tx.ExecContext(ctx, `
				INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, language, created_at, media)
				SELECT ?, id, text, content, spoiler_text, sensitive, language, created_at, `+editMediaSQL+`
				FROM statuses WHERE id = ? AND reblog_of_id IS NULL`, w.OriginalEditID, st.ID, st.ID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("original version: %w", err)
			}
			versions = 1
		}
		if versions >= w.MaxVersions {
			return store.ErrLimit
		}
		editedAt := toDB(*st.EditedAt)
		res, err := tx.ExecContext(ctx, `
			UPDATE statuses SET text = ?, content = ?, spoiler_text = ?, sensitive = ?, language = ?,
				embedding = ?, edited_at = ?
			WHERE id = ? AND reblog_of_id IS NULL`,
			st.Text, st.Content, st.SpoilerText, st.Sensitive, st.Language, embeddingArg(st.Embedding), editedAt, st.ID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, language, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			w.EditID, st.ID, st.Text, st.Content, st.SpoilerText, st.Sensitive, st.Language, editedAt); err != nil {
			return fmt.Errorf("version: %w", err)
		}
		// Vectors were made from the old text: the embedder makes new ones.
		if _, err := tx.ExecContext(ctx, `DELETE FROM status_vectors WHERE status_id = ?`, st.ID); err != nil {
			return fmt.Errorf("old vectors: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM status_tags WHERE status_id = ?`, st.ID); err != nil {
			return fmt.Errorf("old tags: %w", err)
		}
		for _, name := range w.Tags {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO status_tags (status_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, st.ID, name); err != nil {
				return fmt.Errorf("tag %q: %w", name, err)
			}
		}
		for _, id := range w.Mentions {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO status_mentions (status_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, st.ID, id); err != nil {
				return fmt.Errorf("mention of %d: %w", id, err)
			}
		}
		for _, n := range w.Notifications {
			if err := insertNotification(ctx, tx, n); err != nil {
				return err
			}
		}
		if err := editMedia(ctx, tx, w); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_edits SET media = `+editMediaSQL+` WHERE id = ?`,
			st.ID, w.EditID); err != nil {
			return fmt.Errorf("version media: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: edit status %d: %w", st.ID, translateFK(err))
	}
	return nil
}

// editMediaSQL is the media of the status named by its one parameter, as
// status_edits.media holds them (media_attachments_status_id_idx).
const editMediaSQL = `(SELECT json_group_array(json_object('id', id, 'description', description))
	FROM (SELECT id, description FROM media_attachments WHERE status_id = ? ORDER BY position))`

func scanStatusEdit(r scanner) (*store.StatusEdit, error) {
	var (
		e         store.StatusEdit
		createdAt int64
		media     string
	)
	if err := r.Scan(&e.ID, &e.StatusID, &e.Text, &e.Content, &e.SpoilerText, &e.Sensitive, &e.Language, &createdAt,
		&media); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(media), &e.Media); err != nil {
		return nil, fmt.Errorf("media of version %d: %w", e.ID, err)
	}
	e.CreatedAt = fromDB(createdAt)
	return &e, nil
}

// ListStatusEdits matches status_edits.status_id, ascending by id.
func (s *Store) ListStatusEdits(ctx context.Context, statusID int64) ([]*store.StatusEdit, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, status_id, text, content, spoiler_text, sensitive, language, created_at, media
		FROM status_edits WHERE status_id = ? ORDER BY id`, statusID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status edits of %d: %w", statusID, translate(err))
	}
	out, err := collect(rows, scanStatusEdit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status edits of %d: %w", statusID, translate(err))
	}
	return out, nil
}
