package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const adminActionColumns = `id, created_at, action, target_account_id, target_status_id, report_id, reason`

func scanAdminAction(row pgx.CollectableRow) (*store.AdminAction, error) {
	var a store.AdminAction
	if err := row.Scan(&a.ID, &a.CreatedAt, &a.Action, &a.TargetAccountID, &a.TargetStatusID, &a.ReportID, &a.Reason); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// PutAdminAction inserts a.
func (s *Store) PutAdminAction(ctx context.Context, a *store.AdminAction) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO admin_actions (`+adminActionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, toDB(a.CreatedAt), a.Action, a.TargetAccountID, a.TargetStatusID, a.ReportID, a.Reason)
	if err != nil {
		return fmt.Errorf("postgres: put admin action %d: %w", a.ID, translate(err))
	}
	return nil
}

// ListAdminActions selects the entries inside page by id, newest first.
func (s *Store) ListAdminActions(ctx context.Context, page store.Page) ([]*store.AdminAction, error) {
	out, err := listPage(ctx, s, `SELECT `+adminActionColumns+` FROM admin_actions WHERE true`, nil, "id", page, scanAdminAction)
	if err != nil {
		return nil, fmt.Errorf("postgres: list admin actions: %w", err)
	}
	return out, nil
}
