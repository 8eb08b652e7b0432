package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClaimOutbox leases the oldest available events. SKIP LOCKED lets server
// processes claim at once without waiting on, or taking, each other's rows.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		UPDATE status_outbox SET available_at = $1, attempts = attempts + 1
		WHERE status_id IN (
			SELECT status_id FROM status_outbox WHERE available_at <= $2
			ORDER BY available_at, status_id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING status_id`, toDB(now.Add(lease)), toDB(now), limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: claim outbox: %w", err)
	}
	return ids, nil
}

// DeleteOutbox removes delivered events.
func (s *Store) DeleteOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM status_outbox WHERE status_id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("postgres: delete outbox: %w", err)
	}
	return nil
}

// GetOutboxTraceParents reads the events' trace parents.
func (s *Store) GetOutboxTraceParents(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT status_id, trace_parent FROM status_outbox
		WHERE status_id = ANY($1) AND trace_parent <> ''`, ids)
	var (
		id int64
		tp string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &tp}, func() error { out[id] = tp; return nil }); err != nil {
		return nil, fmt.Errorf("postgres: outbox trace parents: %w", err)
	}
	return out, nil
}

// OldestOutbox returns the lowest status ID with an event, 0 when none.
func (s *Store) OldestOutbox(ctx context.Context) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(min(status_id), 0) FROM status_outbox`).Scan(&id); err != nil {
		return 0, fmt.Errorf("postgres: oldest outbox: %w", err)
	}
	return id, nil
}

// CountOutbox counts pending events.
func (s *Store) CountOutbox(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM status_outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count outbox: %w", err)
	}
	return n, nil
}
