package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// Hours and days are counted from the Unix epoch in UTC, never with
// date_trunc, whose result depends on the session's TimeZone (a zone like
// +05:30 would shift every hour bucket).

// ListTagUses groups status_tags joined with public non-reblog statuses in
// [since, until) by (name, account_id, epoch hour), newest first. The window
// is read through statuses_public_created_at_idx (0005).
func (s *Store) ListTagUses(ctx context.Context, since, until time.Time, limit int) ([]store.TagUse, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list tag uses: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT t.name, s.account_id, count(*), max(s.created_at)
		FROM statuses s JOIN status_tags t ON t.status_id = s.id
		WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL
		  AND s.account_id NOT IN (`+moderatedAuthors+`)
		  AND s.created_at >= $1 AND s.created_at < $2
		GROUP BY t.name, s.account_id, floor(extract(epoch FROM s.created_at) / 3600)
		ORDER BY 4 DESC, 1, 2
		LIMIT $3`, toDB(since), toDB(until), limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.TagUse, error) {
		var u store.TagUse
		err := row.Scan(&u.Name, &u.AccountID, &u.Uses, &u.LastUsed)
		u.LastUsed = u.LastUsed.UTC()
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list tag uses: %w", translate(err))
	}
	return out, nil
}

// GetTagHistory counts status_tags rows of names joined with public
// non-reblog statuses in [since, until), grouped by name and epoch day.
func (s *Store) GetTagHistory(ctx context.Context, names []string, since, until time.Time) ([]store.TagDay, error) {
	if len(names) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT t.name, floor(extract(epoch FROM s.created_at) / 86400)::bigint AS day,
		       count(*), count(DISTINCT s.account_id)
		FROM status_tags t JOIN statuses s ON s.id = t.status_id
		WHERE t.name = ANY($1)
		  AND s.visibility = 'public' AND s.reblog_of_id IS NULL
		  AND s.created_at >= $2 AND s.created_at < $3
		GROUP BY t.name, day
		ORDER BY t.name, day`, names, toDB(since), toDB(until))
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.TagDay, error) {
		var (
			d   store.TagDay
			day int64
		)
		err := row.Scan(&d.Name, &day, &d.Uses, &d.Accounts)
		d.Day = time.Unix(day*86400, 0).UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tag history of %d tags: %w", len(names), translate(err))
	}
	return out, nil
}

// ListStatusEngagement reads public non-reblog statuses in [since, until)
// through statuses_public_created_at_idx and keeps those with engagement
// (favourites_count + reblogs_count + replies_count > 0), most first.
func (s *Store) ListStatusEngagement(ctx context.Context, since, until time.Time, limit int) ([]store.StatusEngagement, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list status engagement: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, account_id, created_at, favourites_count + reblogs_count + replies_count AS engagement
		FROM statuses
		WHERE visibility = 'public' AND reblog_of_id IS NULL
		  AND created_at >= $1 AND created_at < $2
		  AND favourites_count + reblogs_count + replies_count > 0
		ORDER BY engagement DESC, id DESC
		LIMIT $3`, toDB(since), toDB(until), limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StatusEngagement, error) {
		var e store.StatusEngagement
		err := row.Scan(&e.StatusID, &e.AccountID, &e.CreatedAt, &e.Engagement)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list status engagement: %w", translate(err))
	}
	return out, nil
}
