package sqlite

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// SearchTags reads status_tags by the name range [prefix, PrefixEnd(prefix))
// of status_tags_name_status_id_idx, keeping names with a public status;
// BINARY collation compares the UTF-8 bytes, which is code-point order.
func (s *Store) SearchTags(ctx context.Context, prefix string, limit, offset int) ([]string, error) {
	if limit <= 0 || offset < 0 {
		return nil, fmt.Errorf("sqlite: search tags: limit %d offset %d, want limit > 0, offset >= 0", limit, offset)
	}
	query := `SELECT DISTINCT t.name FROM status_tags t JOIN statuses s ON s.id = t.status_id
		WHERE t.name >= ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL`
	args := []any{prefix}
	if end := store.PrefixEnd(prefix); end != "" {
		query += ` AND t.name < ?`
		args = append(args, end)
	}
	query += ` ORDER BY t.name LIMIT ? OFFSET ?`
	rows, err := s.r.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search tags %q: %w", prefix, translate(err))
	}
	out, err := collect(rows, func(row scanner) (name string, err error) {
		err = row.Scan(&name)
		return name, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: search tags %q: %w", prefix, translate(err))
	}
	return out, nil
}
