package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const reportColumns = `id, account_id, target_account_id, status_ids, category, comment, rule_ids,
	forwarded, created_at, action_taken_at, action_taken_by`

func scanReport(row pgx.CollectableRow) (*store.Report, error) {
	var (
		r        store.Report
		actionBy *int64
	)
	if err := row.Scan(&r.ID, &r.AccountID, &r.TargetAccountID, &r.StatusIDs, &r.Category, &r.Comment, &r.RuleIDs,
		&r.Forwarded, &r.CreatedAt, &r.ActionTakenAt, &actionBy); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ActionTakenAt, r.ActionTakenBy = r.CreatedAt.UTC(), utcPtr(r.ActionTakenAt), fromNullID(actionBy)
	return &r, nil
}

// PutReport inserts r, its ID lists as bigint arrays.
func (s *Store) PutReport(ctx context.Context, r *store.Report) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO reports (`+reportColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.AccountID, r.TargetAccountID, idArray(r.StatusIDs), r.Category, r.Comment, idArray(r.RuleIDs),
		r.Forwarded, toDB(r.CreatedAt), nullTime(r.ActionTakenAt), nullID(r.ActionTakenBy))
	if err != nil {
		return fmt.Errorf("postgres: put report %d: %w", r.ID, translateFK(err))
	}
	return nil
}

// ResolveReport sets action_taken_at once, by reports.id, and appends
// audit, in one transaction.
func (s *Store) ResolveReport(ctx context.Context, id int64, audit *store.AdminAction) (*store.Report, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return resolveReport(ctx, tx, id, audit)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: resolve report %d: %w", id, translate(err))
	}
	return s.GetReportByID(ctx, id)
}

// resolveReport marks report id acted on at audit.CreatedAt (kept if it
// already was) and appends audit, inside tx; ErrNotFound if there is no
// such report.
func resolveReport(ctx context.Context, tx pgx.Tx, id int64, audit *store.AdminAction) error {
	rows, _ := tx.Query(ctx, `UPDATE reports SET action_taken_at = coalesce(action_taken_at, $1) WHERE id = $2
		RETURNING target_account_id`, toDB(audit.CreatedAt), id)
	target, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	audit.ReportID = id
	if audit.TargetAccountID == 0 {
		audit.TargetAccountID = target
	}
	return putAdminAction(ctx, tx, audit)
}

// GetReportByID matches reports.id.
func (s *Store) GetReportByID(ctx context.Context, id int64) (*store.Report, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanReport)
	if err != nil {
		return nil, fmt.Errorf("postgres: get report %d: %w", id, translate(err))
	}
	return r, nil
}

// ListReports selects reports inside page.
func (s *Store) ListReports(ctx context.Context, page store.Page) ([]*store.Report, error) {
	out, err := listPage(ctx, s, `SELECT `+reportColumns+` FROM reports WHERE true`, nil, "id", page, scanReport)
	if err != nil {
		return nil, fmt.Errorf("postgres: list reports: %w", err)
	}
	return out, nil
}

// CountReportsSince counts reports by account_id with created_at at or
// after since (reports_account_id_created_at_idx).
func (s *Store) CountReportsSince(ctx context.Context, accountID int64, since time.Time) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM reports WHERE account_id = $1 AND created_at >= $2`,
		accountID, toDB(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count reports of %d: %w", accountID, translate(err))
	}
	return n, nil
}
