package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
)

const adminActionColumns = `id, created_at, actor, action, target_account_id, target_status_id, report_id, reason,
	announcement_id, target_name`

func scanAdminAction(row pgx.CollectableRow) (*store.AdminAction, error) {
	var a store.AdminAction
	if err := row.Scan(&a.ID, &a.CreatedAt, &a.Actor, &a.Action, &a.TargetAccountID, &a.TargetStatusID, &a.ReportID, &a.Reason,
		&a.AnnouncementID, &a.TargetName); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// execer is the pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// putAdminAction inserts a through e (the pool, or the transaction of the
// action it records).
func putAdminAction(ctx context.Context, e execer, a *store.AdminAction) error {
	_, err := e.Exec(ctx, `INSERT INTO admin_actions (`+adminActionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, toDB(a.CreatedAt), a.Actor, a.Action, a.TargetAccountID, a.TargetStatusID, a.ReportID, a.Reason, a.AnnouncementID, a.TargetName)
	if err != nil {
		return fmt.Errorf("admin action %d: %w", a.ID, err)
	}
	return nil
}

// PutAdminAction inserts a.
func (s *Store) PutAdminAction(ctx context.Context, a *store.AdminAction) error {
	if err := putAdminAction(ctx, s.pool, a); err != nil {
		return fmt.Errorf("postgres: put %w", translate(err))
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

// ModerateAccount locks the account, updates suspended_at and silenced_at
// (coalesce keeps an earlier time), resolves the audit's report and
// appends the audit entry in one transaction.
func (s *Store) ModerateAccount(ctx context.Context, id int64, m store.AccountModeration) (*store.Account, error) {
	var out *store.Account
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		at := toDB(m.Audit.CreatedAt)
		set := func(col string, on *bool) error {
			if on == nil {
				return nil
			}
			q, args := `UPDATE accounts SET `+col+` = NULL WHERE id = $1`, []any{id}
			if *on {
				q, args = `UPDATE accounts SET `+col+` = coalesce(`+col+`, $2) WHERE id = $1`, []any{id, at}
			}
			_, err := tx.Exec(ctx, q, args...)
			return err
		}
		if err := set("suspended_at", m.Suspend); err != nil {
			return err
		}
		if err := set("silenced_at", m.Silence); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id)
		a, err := pgx.CollectExactlyOneRow(rows, scanAccount)
		if err != nil {
			return err
		}
		m.Audit.TargetAccountID = id
		if m.Audit.ReportID != 0 {
			if err := resolveReport(ctx, tx, m.Audit.ReportID, m.Audit); err != nil {
				return fmt.Errorf("report %d: %w", m.Audit.ReportID, err)
			}
		} else if err := putAdminAction(ctx, tx, m.Audit); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: moderate account %d: %w", id, translate(err))
	}
	return out, nil
}

// ListAdminAccounts selects accounts by q's conditions inside q.Page, by
// id (the primary key; suspended and silenced use their partial indexes).
func (s *Store) ListAdminAccounts(ctx context.Context, q store.AdminAccountQuery) ([]*store.Account, error) {
	query := `SELECT ` + accountColumns + ` FROM accounts WHERE true`
	var args []any
	if q.Suspended {
		query += ` AND suspended_at IS NOT NULL`
	}
	if q.Silenced {
		query += ` AND silenced_at IS NOT NULL`
	}
	if q.Active {
		query += ` AND suspended_at IS NULL`
	}
	if q.Username != "" {
		args = append(args, likePrefix(q.Username))
		query += fmt.Sprintf(` AND lower(username) LIKE $%d ESCAPE '\'`, len(args))
	}
	if q.DisplayName != "" {
		args = append(args, likePrefix(q.DisplayName))
		query += fmt.Sprintf(` AND lower(display_name) LIKE $%d ESCAPE '\'`, len(args))
	}
	out, err := listPage(ctx, s, query, args, "id", q.Page, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list admin accounts: %w", err)
	}
	return out, nil
}
