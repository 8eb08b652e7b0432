package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// textCandidates bounds how many matching rows (newest first) are ranked,
// as in the SQLite store: ts_rank reads each row's tsvector, so ranking
// every match of a common word would read a large part of the table.
const textCandidates = 1000

// SearchStatusIDsByText matches statuses.search_vector (GIN-indexed) and
// ranks the newest textCandidates matches by ts_rank; ties go to the
// newer status. The planner chooses between the GIN index (rare words)
// and walking the primary key backwards until enough rows match (common
// words).
func (s *Store) SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error) {
	words := store.SearchWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil, nil
	}
	// plainto_tsquery ANDs the words and treats nothing as an operator.
	rows, _ := s.pool.Query(ctx, `
		SELECT id FROM (
			SELECT id, search_vector FROM statuses
			WHERE search_vector @@ plainto_tsquery('simple', $1)
			ORDER BY id DESC LIMIT $3
		) AS newest
		ORDER BY ts_rank(search_vector, plainto_tsquery('simple', $1)) DESC, id DESC
		LIMIT $2`, strings.Join(words, " "), limit, textCandidates)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: search statuses by text: %w", translate(err))
	}
	return ids, nil
}
