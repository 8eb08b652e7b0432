package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// SearchTags reads status_tags by the name range [prefix, PrefixEnd(prefix))
// under COLLATE "C" (code-point order, served by status_tags_name_c_idx
// from 0005), keeping names with a public status.
func (s *Store) SearchTags(ctx context.Context, prefix string, limit, offset int) ([]string, error) {
	if limit <= 0 || offset < 0 {
		return nil, fmt.Errorf("postgres: search tags: limit %d offset %d, want limit > 0, offset >= 0", limit, offset)
	}
	query := `SELECT DISTINCT t.name COLLATE "C" FROM status_tags t JOIN statuses s ON s.id = t.status_id
		WHERE t.name COLLATE "C" >= $1 AND s.visibility = 'public' AND s.reblog_of_id IS NULL`
	args := []any{prefix, limit, offset}
	if end := store.PrefixEnd(prefix); end != "" {
		query += ` AND t.name COLLATE "C" < $4`
		args = append(args, end)
	}
	query += ` ORDER BY 1 LIMIT $2 OFFSET $3`
	rows, _ := s.pool.Query(ctx, query, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: search tags %q: %w", prefix, translate(err))
	}
	return out, nil
}
