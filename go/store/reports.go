package store

import (
	"context"
	"time"
)

// Report categories, Mastodon's.
const (
	ReportSpam      = "spam"
	ReportLegal     = "legal"
	ReportViolation = "violation"
	ReportOther     = "other"
)

// Report is an account's report of another account, with statuses and
// instance rules for context. ActionTakenAt and ActionTakenBy are set when
// a moderator acts on it (nil and 0 until then).
type Report struct {
	ID              int64
	AccountID       int64 // the reporter
	TargetAccountID int64
	StatusIDs       []int64 // ascending
	Category        string
	Comment         string
	RuleIDs         []int64 // ascending
	Forwarded       bool
	CreatedAt       time.Time
	ActionTakenAt   *time.Time
	ActionTakenBy   int64 // the moderator's account ID; 0 when none
}

// Reports stores reports for the moderators.
type Reports interface {
	// PutReport inserts r; ErrNotFound if the reporter or the target does
	// not exist.
	PutReport(ctx context.Context, r *Report) error
	// GetReportByID matches reports.id.
	GetReportByID(ctx context.Context, id int64) (*Report, error)
	// ListReports lists every report inside page, newest (highest
	// reports.id) first.
	ListReports(ctx context.Context, page Page) ([]*Report, error)
	// ResolveReport sets reports.action_taken_at to audit.CreatedAt if it
	// is not set yet (a second resolve keeps the first time), appends audit
	// to the moderators' log in the same transaction, and returns the
	// report; ErrNotFound if there is none (then nothing is logged).
	ResolveReport(ctx context.Context, id int64, audit *AdminAction) (*Report, error)
	// CountReportsSince counts the reports accountID filed at or after since.
	CountReportsSince(ctx context.Context, accountID int64, since time.Time) (int64, error)
}
