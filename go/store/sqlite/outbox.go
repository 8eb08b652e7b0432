package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// insertOutbox adds the status's delivery event inside PutStatusWrite's
// transaction.
func insertOutbox(ctx context.Context, tx *sql.Tx, statusID int64, at time.Time, traceParent string) error {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO status_outbox (status_id, available_at, trace_parent) VALUES (?, ?, ?)`, statusID, toDB(at), traceParent); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// ClaimOutbox leases the oldest available events. One statement on the
// single writer connection: claims cannot overlap.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	rows, err := s.w.QueryContext(ctx, `
		UPDATE status_outbox SET available_at = ?, attempts = attempts + 1
		WHERE status_id IN (
			SELECT status_id FROM status_outbox WHERE available_at <= ? ORDER BY available_at, status_id LIMIT ?)
		RETURNING status_id`, toDB(now.Add(lease)), toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
	}
	return ids, nil
}

// DeleteOutbox removes delivered events.
func (s *Store) DeleteOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := jsonArray(ids)
	if err != nil {
		return fmt.Errorf("sqlite: delete outbox: %w", err)
	}
	if _, err := s.w.ExecContext(ctx,
		`DELETE FROM status_outbox WHERE status_id IN (SELECT value FROM json_each(?))`, list); err != nil {
		return fmt.Errorf("sqlite: delete outbox: %w", err)
	}
	return nil
}

// GetOutboxTraceParents reads the events' trace parents.
func (s *Store) GetOutboxTraceParents(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := jsonArray(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox trace parents: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT status_id, trace_parent FROM status_outbox
		WHERE status_id IN (SELECT value FROM json_each(?)) AND trace_parent <> ''`, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox trace parents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			tp string
		)
		if err := rows.Scan(&id, &tp); err != nil {
			return nil, fmt.Errorf("sqlite: outbox trace parents: %w", err)
		}
		out[id] = tp
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: outbox trace parents: %w", err)
	}
	return out, nil
}

// OldestOutbox returns the lowest status ID with an event, 0 when none.
func (s *Store) OldestOutbox(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(min(status_id), 0) FROM status_outbox`).Scan(&id); err != nil {
		return 0, fmt.Errorf("sqlite: oldest outbox: %w", err)
	}
	return id, nil
}

// CountOutbox counts pending events.
func (s *Store) CountOutbox(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM status_outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count outbox: %w", err)
	}
	return n, nil
}
