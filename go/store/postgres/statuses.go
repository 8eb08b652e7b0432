package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const statusColumns = `id, account_id, in_reply_to_id, text, content, spoiler_text, sensitive,
	visibility, language, created_at, embedding`

func scanStatus(row pgx.CollectableRow) (*store.Status, error) {
	var (
		st         store.Status
		inReplyTo  *int64
		visibility string
		embedding  []byte
	)
	if err := row.Scan(&st.ID, &st.AccountID, &inReplyTo, &st.Text, &st.Content, &st.SpoilerText,
		&st.Sensitive, &visibility, &st.Language, &st.CreatedAt, &embedding); err != nil {
		return nil, err
	}
	st.InReplyToID = fromNullID(inReplyTo)
	st.Visibility = store.Visibility(visibility)
	st.CreatedAt = st.CreatedAt.UTC()
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		createdAt := toDB(st.CreatedAt)
		if _, err := tx.Exec(ctx, `
			INSERT INTO statuses (`+statusColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			st.ID, st.AccountID, nullID(st.InReplyToID), st.Text, st.Content, st.SpoilerText,
			st.Sensitive, string(st.Visibility), st.Language, createdAt,
			encodeEmbedding(st.Embedding)); err != nil {
			return err
		}
		// GREATEST ignores NULL, so the first status sets last_status_at.
		tag, err := tx.Exec(ctx, `
			UPDATE accounts
			SET statuses_count = statuses_count + 1,
			    last_status_at = GREATEST(last_status_at, $1)
			WHERE id = $2`, createdAt, st.AccountID)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
		if err != nil {
			return fmt.Errorf("statuses count of %d: %w", st.AccountID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put status %d: %w", st.ID, translate(err))
	}
	return nil
}

// GetStatusByID matches statuses.id.
func (s *Store) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = $1`, id)
	st, err := pgx.CollectExactlyOneRow(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: get status %d: %w", id, translate(err))
	}
	return st, nil
}

// GetStatusesByIDs matches statuses.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = ANY($1)`, ids)
	out, err := pgx.CollectRows(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d statuses: %w", len(ids), translate(err))
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
		return nil, fmt.Errorf("postgres: list statuses: limit %d, want > 0", p.Limit)
	}
	if len(q.AccountIDs) == 0 || len(q.Visibilities) == 0 {
		return nil, nil // nothing can match; skip the query
	}
	visibilities := make([]string, len(q.Visibilities))
	for i, v := range q.Visibilities {
		visibilities[i] = string(v)
	}

	// Only the bounds in use appear in the SQL, so the planner sees plain
	// range conditions rather than "$3 = 0 OR id < $3".
	var b strings.Builder
	args := []any{q.AccountIDs, visibilities}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT ` + statusColumns + ` FROM statuses
		WHERE account_id = ANY($1) AND visibility = ANY($2)`)
	if p.MaxID != 0 {
		b.WriteString(` AND id < ` + arg(p.MaxID))
	}
	if p.SinceID != 0 {
		b.WriteString(` AND id > ` + arg(p.SinceID))
	}
	if p.MinID != 0 {
		b.WriteString(` AND id > ` + arg(p.MinID) + ` ORDER BY id ASC LIMIT ` + arg(p.Limit))
	} else {
		b.WriteString(` ORDER BY id DESC LIMIT ` + arg(p.Limit))
	}

	rows, _ := s.pool.Query(ctx, b.String(), args...)
	out, err := pgx.CollectRows(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: list statuses: %w", translate(err))
	}
	if p.MinID != 0 {
		reverse(out)
	}
	return out, nil
}

// ListStatusEmbeddings lists (id, embedding) of statuses whose embedding is
// not NULL and id > afterID, ascending by id, at most limit rows.
func (s *Store) ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list status embeddings: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, embedding FROM statuses
		WHERE embedding IS NOT NULL AND id > $1
		ORDER BY id ASC LIMIT $2`, afterID, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StatusEmbedding, error) {
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
		return nil, fmt.Errorf("postgres: list status embeddings after %d: %w", afterID, translate(err))
	}
	return out, nil
}
