package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const (
	flagColumns     = `id, status_id, account_id, plugin, plugin_version, reason, created_at`
	decisionColumns = `id, created_at, plugin, plugin_version, hook, verdict, reason, account_id, status_id`
)

// insertFlags writes w's flags inside PutStatusWrite's transaction.
func insertFlags(ctx context.Context, tx pgx.Tx, w *store.StatusWrite) error {
	for _, f := range w.Flags {
		if _, err := tx.Exec(ctx, `INSERT INTO flagged_statuses (`+flagColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.ID, w.Status.ID, w.Status.AccountID, f.Plugin, f.PluginVersion, f.Reason, toDB(w.Status.CreatedAt)); err != nil {
			return fmt.Errorf("flag by %s: %w", f.Plugin, err)
		}
	}
	return nil
}

func scanFlag(row pgx.CollectableRow) (*store.FlaggedStatus, error) {
	var f store.FlaggedStatus
	if err := row.Scan(&f.ID, &f.StatusID, &f.AccountID, &f.Plugin, &f.PluginVersion, &f.Reason, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, nil
}

// GetFlaggedStatuses lists flagged_statuses inside page, newest (highest id) first.
func (s *Store) GetFlaggedStatuses(ctx context.Context, page store.Page) ([]*store.FlaggedStatus, error) {
	out, err := listPage(ctx, s, `SELECT `+flagColumns+` FROM flagged_statuses WHERE true`, nil, "id", page, scanFlag)
	if err != nil {
		return nil, fmt.Errorf("postgres: list flagged statuses: %w", translate(err))
	}
	return out, nil
}

// PutPolicyDecision inserts d into policy_decisions.
func (s *Store) PutPolicyDecision(ctx context.Context, d *store.PolicyDecision) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO policy_decisions (`+decisionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		d.ID, toDB(d.CreatedAt), d.Plugin, d.PluginVersion, d.Hook, d.Verdict, d.Reason, d.AccountID, d.StatusID); err != nil {
		return fmt.Errorf("postgres: put policy decision %d: %w", d.ID, translate(err))
	}
	return nil
}

func scanDecision(row pgx.CollectableRow) (*store.PolicyDecision, error) {
	var d store.PolicyDecision
	if err := row.Scan(&d.ID, &d.CreatedAt, &d.Plugin, &d.PluginVersion, &d.Hook, &d.Verdict, &d.Reason, &d.AccountID, &d.StatusID); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return &d, nil
}

// GetPolicyDecisions lists policy_decisions inside page, newest (highest id) first.
func (s *Store) GetPolicyDecisions(ctx context.Context, page store.Page) ([]*store.PolicyDecision, error) {
	out, err := listPage(ctx, s, `SELECT `+decisionColumns+` FROM policy_decisions WHERE true`, nil, "id", page, scanDecision)
	if err != nil {
		return nil, fmt.Errorf("postgres: list policy decisions: %w", translate(err))
	}
	return out, nil
}
