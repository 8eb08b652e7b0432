package store

import (
	"context"
	"time"
)

// Admin actions recorded in the audit log.
const (
	AdminDeleteStatus  = "status.delete"
	AdminResolveReport = "report.resolve"
)

// AdminAction is one entry of the moderators' audit log: what was done,
// to what (IDs, 0 when none), and why.
type AdminAction struct {
	ID              int64
	CreatedAt       time.Time
	Action          string
	TargetAccountID int64
	TargetStatusID  int64
	ReportID        int64
	Reason          string
}

// AdminActions is the moderators' audit log.
type AdminActions interface {
	// PutAdminAction appends a.
	PutAdminAction(ctx context.Context, a *AdminAction) error
	// ListAdminActions lists the entries inside page, newest (highest
	// admin_actions.id) first.
	ListAdminActions(ctx context.Context, page Page) ([]*AdminAction, error)
}
