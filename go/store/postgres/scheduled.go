package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const scheduledColumns = `id, account_id, scheduled_at, params, created_at`

func scanScheduled(row pgx.Row) (*store.ScheduledStatus, error) {
	var (
		s      store.ScheduledStatus
		params string
	)
	if err := row.Scan(&s.ID, &s.AccountID, &s.ScheduledAt, &params, &s.CreatedAt); err != nil {
		return nil, err
	}
	s.ScheduledAt, s.CreatedAt, s.Params = s.ScheduledAt.UTC(), s.CreatedAt.UTC(), []byte(params)
	return &s, nil
}

func collectScheduled(rows pgx.Rows) ([]*store.ScheduledStatus, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.ScheduledStatus, error) { return scanScheduled(r) })
}

// scheduledCaps takes the account's row lock (serializing the account's
// scheduling), then returns store.ErrLimit when it is at a cap for a status
// scheduled at at (except the status id itself, when rescheduled).
func scheduledCaps(ctx context.Context, tx pgx.Tx, accountID, id int64, at time.Time, lim store.ScheduledLimits) error {
	var locked int64
	if err := tx.QueryRow(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID).Scan(&locked); err != nil {
		return fmt.Errorf("lock account: %w", err)
	}
	day := at.UTC().Truncate(24 * time.Hour)
	var total, daily int
	if err := tx.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE scheduled_at >= $1 AND scheduled_at < $2)
		FROM scheduled_statuses WHERE account_id = $3 AND id <> $4`,
		day, day.Add(24*time.Hour), accountID, id).Scan(&total, &daily); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if (id == 0 && total >= lim.Total) || daily >= lim.Daily {
		return store.ErrLimit
	}
	return nil
}

// PutScheduledStatus counts, inserts and reserves the media under the
// account's lock.
func (s *Store) PutScheduledStatus(ctx context.Context, sch *store.ScheduledStatus, lim store.ScheduledLimits) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := scheduledCaps(ctx, tx, sch.AccountID, 0, sch.ScheduledAt, lim); err != nil {
			return err
		}
		var key *string // NULL for none: the unique index skips it
		if sch.IdempotencyKey != "" {
			key = &sch.IdempotencyKey
			if _, err := tx.Exec(ctx, `UPDATE scheduled_statuses SET idempotency_key = NULL
				WHERE account_id = $1 AND idempotency_key = $2 AND created_at < $3`,
				sch.AccountID, sch.IdempotencyKey, toDB(sch.IdempotencySince)); err != nil {
				return fmt.Errorf("stale idempotency key: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scheduled_statuses (`+scheduledColumns+`, idempotency_key)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			sch.ID, sch.AccountID, toDB(sch.ScheduledAt), string(sch.Params), toDB(sch.CreatedAt), key); err != nil {
			return err
		}
		for i, id := range sch.MediaIDs {
			tag, err := tx.Exec(ctx, `UPDATE media_attachments SET scheduled_status_id = $1, position = $2
				WHERE id = $3 AND account_id = $4 AND status_id IS NULL AND scheduled_status_id IS NULL`,
				sch.ID, i, id, sch.AccountID)
			if err != nil {
				return fmt.Errorf("reserve media %d: %w", id, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("reserve media %d: %w", id, store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put scheduled status %d: %w", sch.ID, translateFK(err))
	}
	return nil
}

// GetScheduledStatusByIdempotencyKey matches (account_id, idempotency_key)
// (scheduled_statuses_idempotency_key_idx) and created_at.
func (s *Store) GetScheduledStatusByIdempotencyKey(ctx context.Context, accountID int64, key string, since time.Time) (*store.ScheduledStatus, error) {
	sch, err := scanScheduled(s.pool.QueryRow(ctx, `SELECT `+scheduledColumns+` FROM scheduled_statuses
		WHERE account_id = $1 AND idempotency_key = $2 AND created_at >= $3`, accountID, key, toDB(since)))
	if err != nil {
		return nil, fmt.Errorf("postgres: scheduled status by idempotency key: %w", translate(err))
	}
	return sch, nil
}

// GetScheduledStatus reads one of the account's scheduled statuses.
func (s *Store) GetScheduledStatus(ctx context.Context, accountID, id int64) (*store.ScheduledStatus, error) {
	sch, err := scanScheduled(s.pool.QueryRow(ctx,
		`SELECT `+scheduledColumns+` FROM scheduled_statuses WHERE id = $1 AND account_id = $2`, id, accountID))
	if err != nil {
		return nil, fmt.Errorf("postgres: get scheduled status %d: %w", id, translate(err))
	}
	return sch, nil
}

// ListScheduledStatuses pages the account's scheduled statuses by ID.
func (s *Store) ListScheduledStatuses(ctx context.Context, accountID int64, page store.Page) ([]*store.ScheduledStatus, error) {
	if err := page.Check(); err != nil {
		return nil, fmt.Errorf("postgres: list scheduled statuses: %w", err)
	}
	q, args := page.Window("id", []any{accountID}, placeholder)
	rows, _ := s.pool.Query(ctx, `SELECT `+scheduledColumns+` FROM scheduled_statuses WHERE account_id = $1`+q, args...)
	out, err := collectScheduled(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: list scheduled statuses: %w", err)
	}
	return store.NewestFirst(page, out), nil
}

// RescheduleStatus checks the daily cap of the new day under the account's
// lock and moves the status there, releasing any claim.
func (s *Store) RescheduleStatus(ctx context.Context, accountID, id int64, at time.Time, lim store.ScheduledLimits) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := scheduledCaps(ctx, tx, accountID, id, at, lim); err != nil {
			return err
		}
		return mustAffect(tx.Exec(ctx, `
			UPDATE scheduled_statuses SET scheduled_at = $1, claimed_until = 'epoch'
			WHERE id = $2 AND account_id = $3`, toDB(at), id, accountID))
	})
	if err != nil {
		return fmt.Errorf("postgres: reschedule status %d: %w", id, translate(err))
	}
	return nil
}

// DeleteScheduledStatus deletes one of the account's scheduled statuses.
func (s *Store) DeleteScheduledStatus(ctx context.Context, accountID, id int64) error {
	err := mustAffect(s.pool.Exec(ctx, `DELETE FROM scheduled_statuses WHERE id = $1 AND account_id = $2`, id, accountID))
	if err != nil {
		return fmt.Errorf("postgres: delete scheduled status %d: %w", id, translate(err))
	}
	return nil
}

// ClaimDueScheduledStatuses leases the oldest due statuses. SKIP LOCKED
// lets server processes claim at once without waiting on each other's rows.
func (s *Store) ClaimDueScheduledStatuses(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.ScheduledStatus, error) {
	rows, _ := s.pool.Query(ctx, `
		UPDATE scheduled_statuses SET claimed_until = $1
		WHERE id IN (
			SELECT id FROM scheduled_statuses WHERE scheduled_at <= $2 AND claimed_until <= $2
			ORDER BY scheduled_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+scheduledColumns, toDB(now.Add(lease)), toDB(now), limit)
	out, err := collectScheduled(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim scheduled statuses: %w", err)
	}
	return out, nil
}

// deleteScheduled removes the scheduled status a status write publishes,
// inside PutStatusWrite's transaction, last (after the account's row, the
// order RescheduleStatus locks in); pgx.ErrNoRows if it is gone.
func deleteScheduled(ctx context.Context, tx pgx.Tx, accountID, id int64) error {
	if err := mustAffect(tx.Exec(ctx, `DELETE FROM scheduled_statuses WHERE id = $1 AND account_id = $2`, id, accountID)); err != nil {
		return fmt.Errorf("scheduled status %d: %w", id, err)
	}
	return nil
}
