package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const scheduledColumns = `id, account_id, scheduled_at, params, created_at`

func scanScheduled(row interface{ Scan(...any) error }) (*store.ScheduledStatus, error) {
	var (
		s           store.ScheduledStatus
		at, created int64
		params      string
	)
	if err := row.Scan(&s.ID, &s.AccountID, &at, &params, &created); err != nil {
		return nil, err
	}
	s.ScheduledAt, s.CreatedAt, s.Params = fromDB(at), fromDB(created), []byte(params)
	return &s, nil
}

// collectScheduled scans and closes rows.
func collectScheduled(rows *sql.Rows) ([]*store.ScheduledStatus, error) {
	defer rows.Close()
	var out []*store.ScheduledStatus
	for rows.Next() {
		sch, err := scanScheduled(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sch)
	}
	return out, rows.Err()
}

// scheduledCaps returns store.ErrLimit when accountID is at a cap for a
// status scheduled at at (except the status id itself, when rescheduled).
// SQLite has one writer, so the count and the write that follows cannot
// interleave with another.
func scheduledCaps(ctx context.Context, tx *sql.Tx, accountID, id int64, at time.Time, lim store.ScheduledLimits) error {
	day := at.UTC().Truncate(24 * time.Hour)
	var total, daily int
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*), coalesce(sum(scheduled_at >= ? AND scheduled_at < ?), 0)
		FROM scheduled_statuses WHERE account_id = ? AND id <> ?`,
		toDB(day), toDB(day.Add(24*time.Hour)), accountID, id).Scan(&total, &daily); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if (id == 0 && total >= lim.Total) || daily >= lim.Daily {
		return store.ErrLimit
	}
	return nil
}

// PutScheduledStatus counts, inserts and reserves the media in one write
// transaction.
func (s *Store) PutScheduledStatus(ctx context.Context, sch *store.ScheduledStatus, lim store.ScheduledLimits) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := scheduledCaps(ctx, tx, sch.AccountID, 0, sch.ScheduledAt, lim); err != nil {
			return err
		}
		var key any // NULL for none: the unique index skips it
		if sch.IdempotencyKey != "" {
			key = sch.IdempotencyKey
			if _, err := tx.ExecContext(ctx, `UPDATE scheduled_statuses SET idempotency_key = NULL
				WHERE account_id = ? AND idempotency_key = ? AND created_at < ?`,
				sch.AccountID, sch.IdempotencyKey, toDB(sch.IdempotencySince)); err != nil {
				return fmt.Errorf("stale idempotency key: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scheduled_statuses (`+scheduledColumns+`, idempotency_key)
			VALUES (?, ?, ?, ?, ?, ?)`,
			sch.ID, sch.AccountID, toDB(sch.ScheduledAt), string(sch.Params), toDB(sch.CreatedAt), key); err != nil {
			return err
		}
		for i, id := range sch.MediaIDs {
			res, err := tx.ExecContext(ctx, `UPDATE media_attachments SET scheduled_status_id = ?, position = ?
				WHERE id = ? AND account_id = ? AND status_id IS NULL AND scheduled_status_id IS NULL`,
				sch.ID, i, id, sch.AccountID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("reserve media %d: %w", id, conflictIfMissing(err))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put scheduled status %d: %w", sch.ID, translateFK(err))
	}
	return nil
}

// GetScheduledStatusByIdempotencyKey matches (account_id, idempotency_key)
// (scheduled_statuses_idempotency_key_idx) and created_at.
func (s *Store) GetScheduledStatusByIdempotencyKey(ctx context.Context, accountID int64, key string, since time.Time) (*store.ScheduledStatus, error) {
	sch, err := scanScheduled(s.r.QueryRowContext(ctx, `SELECT `+scheduledColumns+` FROM scheduled_statuses
		WHERE account_id = ? AND idempotency_key = ? AND created_at >= ?`, accountID, key, toDB(since)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: scheduled status by idempotency key: %w", translate(err))
	}
	return sch, nil
}

// GetScheduledStatus reads one of the account's scheduled statuses.
func (s *Store) GetScheduledStatus(ctx context.Context, accountID, id int64) (*store.ScheduledStatus, error) {
	sch, err := scanScheduled(s.r.QueryRowContext(ctx,
		`SELECT `+scheduledColumns+` FROM scheduled_statuses WHERE id = ? AND account_id = ?`, id, accountID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get scheduled status %d: %w", id, translate(err))
	}
	return sch, nil
}

// ListScheduledStatuses pages the account's scheduled statuses by ID.
func (s *Store) ListScheduledStatuses(ctx context.Context, accountID int64, page store.Page) ([]*store.ScheduledStatus, error) {
	if err := page.Check(); err != nil {
		return nil, fmt.Errorf("sqlite: list scheduled statuses: %w", err)
	}
	q, args := page.Window("id", []any{accountID}, placeholder)
	rows, err := s.r.QueryContext(ctx, `SELECT `+scheduledColumns+` FROM scheduled_statuses WHERE account_id = ?`+q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list scheduled statuses: %w", err)
	}
	out, err := collectScheduled(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list scheduled statuses: %w", err)
	}
	return store.NewestFirst(page, out), nil
}

// RescheduleStatus checks the daily cap of the new day and moves the status
// there, releasing any claim (the new time is in the future).
func (s *Store) RescheduleStatus(ctx context.Context, accountID, id int64, at time.Time, lim store.ScheduledLimits) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM scheduled_statuses WHERE id = ? AND account_id = ?`,
			id, accountID).Scan(&one); err != nil {
			return err
		}
		if err := scheduledCaps(ctx, tx, accountID, id, at, lim); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE scheduled_statuses SET scheduled_at = ?, claimed_until = 0 WHERE id = ?`,
			toDB(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: reschedule status %d: %w", id, translate(err))
	}
	return nil
}

// DeleteScheduledStatus deletes one of the account's scheduled statuses.
func (s *Store) DeleteScheduledStatus(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM scheduled_statuses WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete scheduled status %d: %w", id, translate(err))
	}
	return nil
}

// ClaimDueScheduledStatuses leases the oldest due statuses. One statement
// on the single writer connection: claims cannot overlap.
func (s *Store) ClaimDueScheduledStatuses(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.ScheduledStatus, error) {
	rows, err := s.w.QueryContext(ctx, `
		UPDATE scheduled_statuses SET claimed_until = ?
		WHERE id IN (
			SELECT id FROM scheduled_statuses WHERE scheduled_at <= ? AND claimed_until <= ?
			ORDER BY scheduled_at, id LIMIT ?)
		RETURNING `+scheduledColumns, toDB(now.Add(lease)), toDB(now), toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim scheduled statuses: %w", err)
	}
	out, err := collectScheduled(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim scheduled statuses: %w", err)
	}
	return out, nil
}

// deleteScheduled removes the scheduled status a status write publishes,
// inside PutStatusWrite's transaction; sql.ErrNoRows if it is gone.
func deleteScheduled(ctx context.Context, tx *sql.Tx, accountID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM scheduled_statuses WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("scheduled status %d: %w", id, err)
	}
	return nil
}
