package store

import (
	"context"
	"time"
)

// StatusFlag is a policy plugin's flag on a status: stored with the status
// (StatusWrite.Flags) and listed for moderators.
type StatusFlag struct {
	ID            int64 // time-ordered; orders the moderators' list
	Plugin        string
	PluginVersion string
	Reason        string
}

// FlaggedStatus is one flag on a stored status.
type FlaggedStatus struct {
	ID            int64
	StatusID      int64
	AccountID     int64 // the author
	Plugin        string
	PluginVersion string
	Reason        string
	CreatedAt     time.Time
}

// PolicyDecision is one audited policy plugin decision (anything but
// allow), with the name and version of the plugin that made it.
type PolicyDecision struct {
	ID            int64 // time-ordered
	CreatedAt     time.Time
	Plugin        string
	PluginVersion string
	Hook          string
	Verdict       string
	Reason        string
	AccountID     int64 // 0 when the account did not exist yet (sign-up)
	StatusID      int64 // 0 when the status was not stored yet
}

// Moderation stores what the policy plugins decided. Flags are written by
// PutStatusWrite, in the status's transaction.
type Moderation interface {
	// GetFlaggedStatuses lists flags newest first (by flagged_statuses.id),
	// at most page.Limit, in page's window. A flag goes with its status.
	GetFlaggedStatuses(ctx context.Context, page Page) ([]*FlaggedStatus, error)
	// PutPolicyDecision inserts d into the policy audit log.
	PutPolicyDecision(ctx context.Context, d *PolicyDecision) error
	// GetPolicyDecisions lists the audit log newest first (by
	// policy_decisions.id), at most page.Limit, in page's window.
	GetPolicyDecisions(ctx context.Context, page Page) ([]*PolicyDecision, error)
}
