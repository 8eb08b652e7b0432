package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Week buckets in the stored unit: the Unix epoch is a Thursday, so
// (t - weekOffset) / microsPerWeek numbers the weeks starting on Monday.
const (
	microsPerWeek = 7 * microsPerDay
	weekOffset    = 4 * microsPerDay
)

// GetWeeklyActivity runs one grouped count per table over the window: the
// statuses by primary key from sinceID on, the tokens and accounts by
// created_at (both tables are small beside statuses).
func (s *Store) GetWeeklyActivity(ctx context.Context, since time.Time, sinceID int64) ([]store.ActivityWeek, error) {
	from := toDB(since)
	counts := make([]map[int64]int64, 3)
	for i, q := range []struct {
		sql  string
		args []any
	}{
		{`SELECT (created_at - ?1) / ?2, count(*) FROM statuses
			WHERE id >= ?3 AND created_at >= ?4 AND reblog_of_id IS NULL GROUP BY 1`,
			[]any{weekOffset, microsPerWeek, sinceID, from}},
		{`SELECT (created_at - ?1) / ?2, count(DISTINCT account_id) FROM tokens
			WHERE account_id IS NOT NULL AND created_at >= ?3 GROUP BY 1`,
			[]any{weekOffset, microsPerWeek, from}},
		{`SELECT (created_at - ?1) / ?2, count(*) FROM accounts WHERE created_at >= ?3 GROUP BY 1`,
			[]any{weekOffset, microsPerWeek, from}},
	} {
		rows, err := queryAll(ctx, s, q.sql, func(row scanner) (wc [2]int64, err error) {
			err = row.Scan(&wc[0], &wc[1])
			return wc, err
		}, q.args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: weekly activity: %w", translate(err))
		}
		counts[i] = make(map[int64]int64, len(rows))
		for _, wc := range rows {
			counts[i][wc[0]*microsPerWeek+weekOffset] = wc[1]
		}
	}
	return store.ActivityWeeks(fromDB, counts[0], counts[1], counts[2]), nil
}
