package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// EditStatus applies w in one transaction. It locks the status row first,
// so concurrent edits of one status take turns and cannot pass the version
// limit together.
func (s *Store) EditStatus(ctx context.Context, w *store.StatusEditWrite) error {
	st := w.Status
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx,
			`SELECT 1 FROM statuses WHERE id = $1 AND reblog_of_id IS NULL FOR UPDATE`, st.ID).Scan(&one); err != nil {
			return err
		}
		var versions int
		if err := tx.QueryRow(ctx,
			`SELECT count(*) FROM status_edits WHERE status_id = $1`, st.ID).Scan(&versions); err != nil {
			return err
		}
		if versions == 0 {
			// The first edit keeps the original as the first version.
			if _, err := tx.Exec(ctx, `
				INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, language, created_at, media)
				SELECT $1, id, text, content, spoiler_text, sensitive, language, created_at, `+editMediaSQL+`
				FROM statuses WHERE id = $2`, w.OriginalEditID, st.ID); err != nil {
				return fmt.Errorf("original version: %w", err)
			}
			versions = 1
		}
		if versions >= w.MaxVersions {
			return store.ErrLimit
		}
		editedAt := toDB(*st.EditedAt)
		if _, err := tx.Exec(ctx, `
			UPDATE statuses SET text = $1, content = $2, spoiler_text = $3, sensitive = $4, language = $5,
				embedding = $6, edited_at = $7
			WHERE id = $8`,
			st.Text, st.Content, st.SpoilerText, st.Sensitive, st.Language, store.EncodeEmbedding(st.Embedding),
			editedAt, st.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, language, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			w.EditID, st.ID, st.Text, st.Content, st.SpoilerText, st.Sensitive, st.Language, editedAt); err != nil {
			return fmt.Errorf("version: %w", err)
		}
		// Vectors were made from the old text: the embedder makes new ones.
		if _, err := tx.Exec(ctx, `DELETE FROM status_vectors WHERE status_id = $1`, st.ID); err != nil {
			return fmt.Errorf("old vectors: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM status_tags WHERE status_id = $1`, st.ID); err != nil {
			return fmt.Errorf("old tags: %w", err)
		}
		if len(w.Tags) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO status_tags (status_id, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
				st.ID, w.Tags); err != nil {
				return fmt.Errorf("tags: %w", err)
			}
		}
		if len(w.Mentions) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO status_mentions (status_id, account_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
				st.ID, w.Mentions); err != nil {
				return fmt.Errorf("mentions: %w", err)
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
		if _, err := tx.Exec(ctx, `UPDATE status_edits SET media = `+editMediaSQL+` WHERE id = $1`,
			w.EditID, st.ID); err != nil {
			return fmt.Errorf("version media: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: edit status %d: %w", st.ID, translateFK(err))
	}
	return nil
}

// editMediaSQL is the media of the status named by $2, as
// status_edits.media holds them (media_attachments_status_id_idx).
const editMediaSQL = `coalesce((SELECT jsonb_agg(jsonb_build_object('id', id, 'description', description) ORDER BY position)
	FROM media_attachments WHERE status_id = $2), '[]')`

func scanStatusEdit(r pgx.CollectableRow) (*store.StatusEdit, error) {
	var (
		e     store.StatusEdit
		media []byte
	)
	if err := r.Scan(&e.ID, &e.StatusID, &e.Text, &e.Content, &e.SpoilerText, &e.Sensitive, &e.Language, &e.CreatedAt,
		&media); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(media, &e.Media); err != nil {
		return nil, fmt.Errorf("media of version %d: %w", e.ID, err)
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return &e, nil
}

// ListStatusEdits matches status_edits.status_id, ascending by id.
func (s *Store) ListStatusEdits(ctx context.Context, statusID int64) ([]*store.StatusEdit, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, status_id, text, content, spoiler_text, sensitive, language, created_at, media
		FROM status_edits WHERE status_id = $1 ORDER BY id`, statusID)
	out, err := pgx.CollectRows(rows, scanStatusEdit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list status edits of %d: %w", statusID, translate(err))
	}
	return out, nil
}
