package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const reportColumns = `id, account_id, target_account_id, status_ids, category, comment, rule_ids,
	forwarded, created_at, action_taken_at, action_taken_by`

func scanReport(row scanner) (*store.Report, error) {
	var (
		r                  store.Report
		statusIDs, ruleIDs string
		createdAt          int64
		actionAt, actionBy sql.NullInt64
	)
	if err := row.Scan(&r.ID, &r.AccountID, &r.TargetAccountID, &statusIDs, &r.Category, &r.Comment, &ruleIDs,
		&r.Forwarded, &createdAt, &actionAt, &actionBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(statusIDs), &r.StatusIDs); err != nil {
		return nil, fmt.Errorf("report %d status_ids: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(ruleIDs), &r.RuleIDs); err != nil {
		return nil, fmt.Errorf("report %d rule_ids: %w", r.ID, err)
	}
	r.CreatedAt, r.ActionTakenAt, r.ActionTakenBy = fromDB(createdAt), fromNullDB(actionAt), actionBy.Int64
	return &r, nil
}

// PutReport inserts r, its ID lists as JSON arrays.
func (s *Store) PutReport(ctx context.Context, r *store.Report) error {
	statusIDs, err := idList(r.StatusIDs)
	if err != nil {
		return fmt.Errorf("sqlite: put report %d: %w", r.ID, err)
	}
	ruleIDs, err := idList(r.RuleIDs)
	if err != nil {
		return fmt.Errorf("sqlite: put report %d: %w", r.ID, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO reports (`+reportColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.AccountID, r.TargetAccountID, statusIDs, r.Category, r.Comment, ruleIDs,
		r.Forwarded, toDB(r.CreatedAt), nullTime(r.ActionTakenAt), nullID(r.ActionTakenBy))
	if err != nil {
		return fmt.Errorf("sqlite: put report %d: %w", r.ID, translateFK(err))
	}
	return nil
}

// ResolveReport sets action_taken_at once, by reports.id, and appends
// audit, in one transaction.
func (s *Store) ResolveReport(ctx context.Context, id int64, audit *store.AdminAction) (*store.Report, error) {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		return resolveReport(ctx, tx, id, audit)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: resolve report %d: %w", id, translate(err))
	}
	return s.GetReportByID(ctx, id)
}

// resolveReport marks report id acted on at audit.CreatedAt (kept if it
// already was) and appends audit, inside tx; ErrNotFound if there is no
// such report.
func resolveReport(ctx context.Context, tx *sql.Tx, id int64, audit *store.AdminAction) error {
	var target int64
	if err := tx.QueryRowContext(ctx, `UPDATE reports SET action_taken_at = coalesce(action_taken_at, ?) WHERE id = ?
		RETURNING target_account_id`, toDB(audit.CreatedAt), id).Scan(&target); err != nil {
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
	r, err := scanReport(s.r.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get report %d: %w", id, translate(err))
	}
	return r, nil
}

// ListReports selects reports inside page.
func (s *Store) ListReports(ctx context.Context, page store.Page) ([]*store.Report, error) {
	out, err := listPage(ctx, s, `SELECT `+reportColumns+` FROM reports WHERE 1 = 1`, nil, "id", page, scanReport)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list reports: %w", err)
	}
	return out, nil
}

// CountReportsSince counts reports by account_id with created_at at or
// after since (reports_account_id_created_at_idx).
func (s *Store) CountReportsSince(ctx context.Context, accountID int64, since time.Time) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM reports WHERE account_id = ? AND created_at >= ?`,
		accountID, toDB(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count reports of %d: %w", accountID, translate(err))
	}
	return n, nil
}
