package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// GetWeeklyActivity runs one grouped count per table over the window: the
// statuses by primary key from sinceID on, the tokens and accounts by
// created_at (both tables are small beside statuses). date_trunc('week')
// starts weeks on Monday, in UTC here.
func (s *Store) GetWeeklyActivity(ctx context.Context, since time.Time, sinceID int64) ([]store.ActivityWeek, error) {
	const week = `date_trunc('week', created_at AT TIME ZONE 'UTC')`
	counts := make([]map[time.Time]int64, 3)
	for i, q := range []struct {
		sql  string
		args []any
	}{
		{`SELECT ` + week + `, count(*) FROM statuses
			WHERE id >= $1 AND created_at >= $2 AND reblog_of_id IS NULL GROUP BY 1`, []any{sinceID, toDB(since)}},
		{`SELECT ` + week + `, count(DISTINCT account_id) FROM tokens
			WHERE account_id IS NOT NULL AND created_at >= $1 GROUP BY 1`, []any{toDB(since)}},
		{`SELECT ` + week + `, count(*) FROM accounts WHERE created_at >= $1 GROUP BY 1`, []any{toDB(since)}},
	} {
		rows, _ := s.pool.Query(ctx, q.sql, q.args...)
		counts[i] = make(map[time.Time]int64)
		var (
			start time.Time
			n     int64
		)
		if _, err := pgx.ForEachRow(rows, []any{&start, &n}, func() error {
			counts[i][start] = n
			return nil
		}); err != nil {
			return nil, fmt.Errorf("postgres: weekly activity: %w", translate(err))
		}
	}
	// A timestamp without time zone scans as a UTC time.
	utc := func(t time.Time) time.Time { return t.UTC() }
	return store.ActivityWeeks(utc, counts[0], counts[1], counts[2]), nil
}
