package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Bucket widths in the stored unit (microseconds since the Unix epoch, UTC):
// integer division by them truncates to the UTC hour and day.
const (
	microsPerHour = int64(time.Hour / time.Microsecond)
	microsPerDay  = 24 * microsPerHour
)

// ListTagUses groups status_tags joined with public non-reblog statuses in
// [since, until) by (name, account_id, created_at / hour), newest first. The
// window is read through statuses_public_created_at_idx (0005).
func (s *Store) ListTagUses(ctx context.Context, since, until time.Time, limit int) ([]store.TagUse, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list tag uses: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT t.name, s.account_id, count(*), max(s.created_at)
		FROM statuses s JOIN status_tags t ON t.status_id = s.id
		WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL
		  AND s.account_id NOT IN (`+moderatedAuthors+`)
		  AND s.created_at >= ? AND s.created_at < ?
		GROUP BY t.name, s.account_id, s.created_at / ?
		ORDER BY 4 DESC, 1, 2
		LIMIT ?`, toDB(since), toDB(until), microsPerHour, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tag uses: %w", translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.TagUse, error) {
		var (
			u    store.TagUse
			last int64
		)
		err := row.Scan(&u.Name, &u.AccountID, &u.Uses, &last)
		u.LastUsed = fromDB(last)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tag uses: %w", translate(err))
	}
	return out, nil
}

// GetTagHistory counts status_tags rows of names joined with public
// non-reblog statuses in [since, until), grouped by name and
// created_at / day.
func (s *Store) GetTagHistory(ctx context.Context, names []string, since, until time.Time) ([]store.TagDay, error) {
	if len(names) == 0 {
		return nil, nil
	}
	list, err := jsonArray(names)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag history: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT t.name, s.created_at / ?1 AS day, count(*), count(DISTINCT s.account_id)
		FROM status_tags t JOIN statuses s ON s.id = t.status_id
		WHERE t.name IN (SELECT value FROM json_each(?2))
		  AND s.visibility = 'public' AND s.reblog_of_id IS NULL
		  AND s.created_at >= ?3 AND s.created_at < ?4
		GROUP BY t.name, day
		ORDER BY t.name, day`, microsPerDay, list, toDB(since), toDB(until))
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag history of %d tags: %w", len(names), translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.TagDay, error) {
		var (
			d   store.TagDay
			day int64
		)
		err := row.Scan(&d.Name, &day, &d.Uses, &d.Accounts)
		d.Day = fromDB(day * microsPerDay)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag history of %d tags: %w", len(names), translate(err))
	}
	return out, nil
}

// ListStatusEngagement reads public non-reblog statuses in [since, until)
// through statuses_public_created_at_idx and keeps those with engagement
// (favourites_count + reblogs_count + replies_count > 0), most first.
func (s *Store) ListStatusEngagement(ctx context.Context, since, until time.Time, limit int) ([]store.StatusEngagement, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list status engagement: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, account_id, created_at, favourites_count + reblogs_count + replies_count AS engagement
		FROM statuses
		WHERE visibility = 'public' AND reblog_of_id IS NULL
		  AND created_at >= ? AND created_at < ?
		  AND favourites_count + reblogs_count + replies_count > 0
		ORDER BY engagement DESC, id DESC
		LIMIT ?`, toDB(since), toDB(until), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status engagement: %w", translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.StatusEngagement, error) {
		var (
			e         store.StatusEngagement
			createdAt int64
		)
		err := row.Scan(&e.StatusID, &e.AccountID, &createdAt, &e.Engagement)
		e.CreatedAt = fromDB(createdAt)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status engagement: %w", translate(err))
	}
	return out, nil
}
