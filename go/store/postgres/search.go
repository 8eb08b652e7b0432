package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// SearchStatusIDsByText matches statuses.search_vector (GIN-indexed) and
// ranks by ts_rank; ties go to the newer status.
func (s *Store) SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error) {
	words := store.SearchWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil, nil
	}
	// plainto_tsquery ANDs the words and treats nothing as an operator.
	rows, _ := s.pool.Query(ctx, `
		SELECT id FROM statuses, plainto_tsquery('simple', $1) AS q
		WHERE search_vector @@ q
		ORDER BY ts_rank(search_vector, q) DESC, id DESC
		LIMIT $2`, strings.Join(words, " "), limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: search statuses by text: %w", translate(err))
	}
	return ids, nil
}
