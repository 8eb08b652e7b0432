package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// PutStatusVectors upserts (embedder, status_id, vector) for each row whose
// status exists, in one transaction.
func (s *Store) PutStatusVectors(ctx context.Context, embedder string, rows []store.StatusEmbedding) error {
	if len(rows) == 0 {
		return nil
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if len(r.Embedding) == 0 {
				return fmt.Errorf("status %d: empty vector", r.StatusID)
			}
			// INSERT … SELECT: a status deleted meanwhile inserts nothing
			// instead of failing the batch on its foreign key.
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO status_vectors (embedder, status_id, vector)
				SELECT ?, id, ? FROM statuses WHERE id = ?
				ON CONFLICT (embedder, status_id) DO UPDATE SET vector = excluded.vector`,
				embedder, store.EncodeEmbedding(r.Embedding), r.StatusID); err != nil {
				return fmt.Errorf("status %d: %w", r.StatusID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put status vectors: %w", translate(err))
	}
	return nil
}

// ListStatusVectors lists (status_id, vector) under embedder with
// status_id > afterID, ascending, at most limit rows.
func (s *Store) ListStatusVectors(ctx context.Context, embedder string, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list status vectors: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT v.status_id, v.vector FROM status_vectors v
		JOIN statuses st ON st.id = v.status_id
		JOIN accounts a ON a.id = st.account_id
		WHERE v.embedder = ? AND v.status_id > ? AND a.suspended_at IS NULL
		ORDER BY v.status_id ASC LIMIT ?`, embedder, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status vectors after %d: %w", afterID, translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.StatusEmbedding, error) {
		return store.ScanStatusEmbedding(row.Scan)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status vectors after %d: %w", afterID, translate(err))
	}
	return out, nil
}

// ListStatusesToEmbed lists statuses that are not reblogs, with id >
// afterID and no vector under embedder, ascending, at most limit rows.
func (s *Store) ListStatusesToEmbed(ctx context.Context, embedder string, afterID int64, limit int) ([]store.StatusText, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list statuses to embed: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, text, spoiler_text,
		       EXISTS (SELECT 1 FROM accounts a WHERE a.id = statuses.account_id AND a.suspended_at IS NOT NULL)
		FROM statuses
		WHERE id > ? AND reblog_of_id IS NULL
		  AND NOT EXISTS (SELECT 1 FROM status_vectors v WHERE v.embedder = ? AND v.status_id = statuses.id)
		ORDER BY id ASC LIMIT ?`, afterID, embedder, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses to embed after %d: %w", afterID, translate(err))
	}
	out, err := collect(rows, scanStatusTextHidden)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses to embed after %d: %w", afterID, translate(err))
	}
	return out, nil
}

// ListPublicStatusTexts lists public and unlisted statuses (not reblogs),
// ascending by ID, after afterID.
func (s *Store) ListPublicStatusTexts(ctx context.Context, afterID int64, limit int) ([]store.StatusText, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list public status texts: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, text, spoiler_text FROM statuses
		WHERE id > ? AND reblog_of_id IS NULL AND visibility IN ('public', 'unlisted')
		ORDER BY id ASC LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list public status texts after %d: %w", afterID, translate(err))
	}
	out, err := collect(rows, scanStatusText)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list public status texts after %d: %w", afterID, translate(err))
	}
	return out, nil
}

// scanStatusText reads the columns id, text, spoiler_text.
func scanStatusText(row scanner) (store.StatusText, error) {
	var t store.StatusText
	return t, row.Scan(&t.ID, &t.Text, &t.SpoilerText)
}

// ListAccountStatusVectors lists (status_id, vector) under embedder of
// accountID's statuses with status_id > afterID, ascending, at most limit
// rows, whether the account is suspended or not.
func (s *Store) ListAccountStatusVectors(ctx context.Context, embedder string, accountID, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list account status vectors: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT v.status_id, v.vector FROM statuses st
		JOIN status_vectors v ON v.status_id = st.id AND v.embedder = ?
		WHERE st.account_id = ? AND st.id > ?
		ORDER BY st.id ASC LIMIT ?`, embedder, accountID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list account %d status vectors: %w", accountID, translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.StatusEmbedding, error) {
		return store.ScanStatusEmbedding(row.Scan)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list account %d status vectors: %w", accountID, translate(err))
	}
	return out, nil
}

// scanStatusTextHidden reads the columns id, text, spoiler_text, hidden.
func scanStatusTextHidden(row scanner) (store.StatusText, error) {
	var t store.StatusText
	return t, row.Scan(&t.ID, &t.Text, &t.SpoilerText, &t.Hidden)
}
