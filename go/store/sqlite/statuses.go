package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/starling-social/starling/go/store"
)

const statusColumns = `id, account_id, in_reply_to_id, text, content, spoiler_text, sensitive,
	visibility, language, created_at, embedding`

func scanStatus(row scanner) (*store.Status, error) {
	var (
		st         store.Status
		inReplyTo  sql.NullInt64
		visibility string
		createdAt  int64
		embedding  []byte
	)
	if err := row.Scan(&st.ID, &st.AccountID, &inReplyTo, &st.Text, &st.Content, &st.SpoilerText,
		&st.Sensitive, &visibility, &st.Language, &createdAt, &embedding); err != nil {
		return nil, err
	}
	st.InReplyToID = inReplyTo.Int64
	st.Visibility = store.Visibility(visibility)
	st.CreatedAt = fromDB(createdAt)
	emb, err := decodeEmbedding(embedding)
	if err != nil {
		return nil, fmt.Errorf("status %d: %w", st.ID, err)
	}
	st.Embedding = emb
	return &st, nil
}

// PutStatus inserts st and, in the same transaction, increments the author's
// statuses_count and moves last_status_at forward to st.CreatedAt (it never
// moves back, so statuses imported out of order leave the newest time).
func (s *Store) PutStatus(ctx context.Context, st *store.Status) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		createdAt := toDB(st.CreatedAt)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO statuses (`+statusColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.ID, st.AccountID, nullID(st.InReplyToID), st.Text, st.Content, st.SpoilerText,
			st.Sensitive, string(st.Visibility), st.Language, createdAt,
			encodeEmbedding(st.Embedding)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE accounts
			SET statuses_count = statuses_count + 1,
			    last_status_at = max(coalesce(last_status_at, ?1), ?1)
			WHERE id = ?2`, createdAt, st.AccountID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return fmt.Errorf("statuses count of %d: %w", st.AccountID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put status %d: %w", st.ID, translate(err))
	}
	return nil
}

// GetStatusByID matches statuses.id.
func (s *Store) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	st, err := scanStatus(s.r.QueryRowContext(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get status %d: %w", id, translate(err))
	}
	return st, nil
}

// GetStatusesByIDs matches statuses.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := jsonArray(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), err)
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), translate(err))
	}
	out, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), translate(err))
	}
	return out, nil
}

// ListStatuses selects statuses by account_id and visibility inside
// q.Page, newest (highest id) first. Every nonzero bound filters
// (exclusively). With MinID set it takes the Limit rows just above the lower
// bounds, ascending, and reverses them; otherwise the Limit rows just below
// MaxID, descending.
func (s *Store) ListStatuses(ctx context.Context, q store.StatusQuery) ([]*store.Status, error) {
	p := q.Page
	if p.Limit <= 0 {
		return nil, fmt.Errorf("sqlite: list statuses: limit %d, want > 0", p.Limit)
	}
	if len(q.AccountIDs) == 0 || len(q.Visibilities) == 0 {
		return nil, nil // nothing can match; skip the query
	}
	accounts, err := jsonArray(q.AccountIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}
	visibilities, err := jsonArray(q.Visibilities)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}

	var b strings.Builder
	b.WriteString(`SELECT ` + statusColumns + ` FROM statuses
		WHERE account_id IN (SELECT value FROM json_each(?))
		AND visibility IN (SELECT value FROM json_each(?))`)
	args := []any{accounts, visibilities}
	if p.MaxID != 0 {
		b.WriteString(` AND id < ?`)
		args = append(args, p.MaxID)
	}
	if p.SinceID != 0 {
		b.WriteString(` AND id > ?`)
		args = append(args, p.SinceID)
	}
	if p.MinID != 0 {
		b.WriteString(` AND id > ? ORDER BY id ASC LIMIT ?`)
		args = append(args, p.MinID, p.Limit)
	} else {
		b.WriteString(` ORDER BY id DESC LIMIT ?`)
		args = append(args, p.Limit)
	}

	rows, err := s.r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses: %w", translate(err))
	}
	out, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses: %w", translate(err))
	}
	if p.MinID != 0 {
		reverse(out)
	}
	return out, nil
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// ListStatusEmbeddings lists (id, embedding) of statuses whose embedding is
// not NULL and id > afterID, ascending by id, at most limit rows.
func (s *Store) ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list status embeddings: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, embedding FROM statuses
		WHERE embedding IS NOT NULL AND id > ?
		ORDER BY id ASC LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status embeddings after %d: %w", afterID, translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.StatusEmbedding, error) {
		var (
			e store.StatusEmbedding
			b []byte
		)
		if err := row.Scan(&e.StatusID, &b); err != nil {
			return e, err
		}
		v, err := decodeEmbedding(b)
		if err != nil {
			return e, fmt.Errorf("status %d: %w", e.StatusID, err)
		}
		e.Embedding = v
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status embeddings after %d: %w", afterID, translate(err))
	}
	return out, nil
}
