package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const (
	flagColumns     = `id, status_id, account_id, plugin, plugin_version, reason, created_at`
	decisionColumns = `id, created_at, plugin, plugin_version, hook, verdict, reason, account_id, status_id`
)

// insertFlags writes w's flags inside PutStatusWrite's transaction.
func insertFlags(ctx context.Context, tx *sql.Tx, w *store.StatusWrite) error {
	for _, f := range w.Flags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO flagged_statuses (`+flagColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.ID, w.Status.ID, w.Status.AccountID, f.Plugin, f.PluginVersion, f.Reason, toDB(w.Status.CreatedAt)); err != nil {
			return fmt.Errorf("flag by %s: %w", f.Plugin, err)
		}
	}
	return nil
}

func scanFlag(row scanner) (*store.FlaggedStatus, error) {
	var (
		f  store.FlaggedStatus
		at int64
	)
	err := row.Scan(&f.ID, &f.StatusID, &f.AccountID, &f.Plugin, &f.PluginVersion, &f.Reason, &at)
	f.CreatedAt = fromDB(at)
	return &f, err
}

// GetFlaggedStatuses lists flagged_statuses inside page, newest (highest id) first.
func (s *Store) GetFlaggedStatuses(ctx context.Context, page store.Page) ([]*store.FlaggedStatus, error) {
	out, err := listPage(ctx, s, `SELECT `+flagColumns+` FROM flagged_statuses WHERE 1`, nil, "id", page, scanFlag)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list flagged statuses: %w", translate(err))
	}
	return out, nil
}

// PutPolicyDecision inserts d into policy_decisions.
func (s *Store) PutPolicyDecision(ctx context.Context, d *store.PolicyDecision) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO policy_decisions (`+decisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, toDB(d.CreatedAt), d.Plugin, d.PluginVersion, d.Hook, d.Verdict, d.Reason, d.AccountID, d.StatusID); err != nil {
		return fmt.Errorf("sqlite: put policy decision %d: %w", d.ID, translate(err))
	}
	return nil
}

func scanDecision(row scanner) (*store.PolicyDecision, error) {
	var (
		d  store.PolicyDecision
		at int64
	)
	err := row.Scan(&d.ID, &at, &d.Plugin, &d.PluginVersion, &d.Hook, &d.Verdict, &d.Reason, &d.AccountID, &d.StatusID)
	d.CreatedAt = fromDB(at)
	return &d, err
}

// GetPolicyDecisions lists policy_decisions inside page, newest (highest id) first.
func (s *Store) GetPolicyDecisions(ctx context.Context, page store.Page) ([]*store.PolicyDecision, error) {
	out, err := listPage(ctx, s, `SELECT `+decisionColumns+` FROM policy_decisions WHERE 1`, nil, "id", page, scanDecision)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list policy decisions: %w", translate(err))
	}
	return out, nil
}
