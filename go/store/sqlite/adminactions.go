package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const adminActionColumns = `id, created_at, actor, action, target_account_id, target_status_id, report_id, reason,
	announcement_id, target_name`

func scanAdminAction(row scanner) (*store.AdminAction, error) {
	var (
		a  store.AdminAction
		at int64
	)
	if err := row.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.TargetAccountID, &a.TargetStatusID, &a.ReportID, &a.Reason,
		&a.AnnouncementID, &a.TargetName); err != nil {
		return nil, err
	}
	a.CreatedAt = fromDB(at)
	return &a, nil
}

// execer is a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// putAdminAction inserts a through e (the pool, or the transaction of the
// action it records).
func putAdminAction(ctx context.Context, e execer, a *store.AdminAction) error {
	_, err := e.ExecContext(ctx, `INSERT INTO admin_actions (`+adminActionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, toDB(a.CreatedAt), a.Actor, a.Action, a.TargetAccountID, a.TargetStatusID, a.ReportID, a.Reason, a.AnnouncementID, a.TargetName)
	if err != nil {
		return fmt.Errorf("admin action %d: %w", a.ID, err)
	}
	return nil
}

// PutAdminAction inserts a.
func (s *Store) PutAdminAction(ctx context.Context, a *store.AdminAction) error {
	if err := putAdminAction(ctx, s.w, a); err != nil {
		return fmt.Errorf("sqlite: put %w", translate(err))
	}
	return nil
}

// ListAdminActions selects the entries inside page by id, newest first.
func (s *Store) ListAdminActions(ctx context.Context, page store.Page) ([]*store.AdminAction, error) {
	out, err := listPage(ctx, s, `SELECT `+adminActionColumns+` FROM admin_actions WHERE 1 = 1`, nil, "id", page, scanAdminAction)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list admin actions: %w", err)
	}
	return out, nil
}

// ModerateAccount updates suspended_at and silenced_at (coalesce keeps an
// earlier time), resolves the audit's report and appends the audit entry
// in one transaction, then reads the account back inside it.
func (s *Store) ModerateAccount(ctx context.Context, id int64, m store.AccountModeration) (*store.Account, error) {
	var out *store.Account
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		at := toDB(m.Audit.CreatedAt)
		set := func(col string, on *bool) error {
			if on == nil {
				return nil
			}
			q, args := `UPDATE accounts SET `+col+` = NULL WHERE id = ?`, []any{id}
			if *on {
				q, args = `UPDATE accounts SET `+col+` = coalesce(`+col+`, ?) WHERE id = ?`, []any{at, id}
			}
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}
		if err := set("suspended_at", m.Suspend); err != nil {
			return err
		}
		if err := set("silenced_at", m.Silence); err != nil {
			return err
		}
		a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
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
		return nil, fmt.Errorf("sqlite: moderate account %d: %w", id, translate(err))
	}
	return out, nil
}

// ListAdminAccounts selects accounts by q's conditions inside q.Page, by
// id (the primary key; suspended and silenced use their partial indexes).
func (s *Store) ListAdminAccounts(ctx context.Context, q store.AdminAccountQuery) ([]*store.Account, error) {
	query := `SELECT ` + accountColumns + ` FROM accounts WHERE 1 = 1`
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
		query += ` AND lower(username) LIKE ? ESCAPE '\'`
		args = append(args, likePrefix(q.Username))
	}
	if q.DisplayName != "" {
		query += ` AND lower(display_name) LIKE ? ESCAPE '\'`
		args = append(args, likePrefix(q.DisplayName))
	}
	out, err := listPage(ctx, s, query, args, "id", q.Page, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list admin accounts: %w", err)
	}
	return out, nil
}
