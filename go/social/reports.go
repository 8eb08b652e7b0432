package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Report limits: Mastodon's comment limit, a bound on the evidence one
// report carries, and how many reports an account may file in an hour
// (reports land in a human's queue, so flooding it is the attack).
const (
	maxReportComment  = 1000
	MaxReportStatuses = 20
	reportsPerHour    = 10
)

// Rule is one of the instance's rules (GET /api/v1/instance/rules), which
// reports may cite. IDs are 1, 2, … in the operator's order.
type Rule struct {
	ID   int64
	Text string
	Hint string
}

// ReportInput is a report as filed through POST /api/v1/reports.
type ReportInput struct {
	AccountID int64
	StatusIDs []int64
	Comment   string
	Category  string // spam, legal, violation, other; "" is other
	RuleIDs   []int64
	Forward   bool
}

// Report files viewer's report of an account to the moderators and
// returns it with the target account (the Report entity embeds it). Attached
// statuses must be the target's and visible to viewer; citing rules makes
// it a violation report, and a violation report must cite existing rules.
// Forwarding is refused: every account is local, there is no remote server
// to forward to.
func (s *Service) Report(ctx context.Context, viewer *store.Account, in ReportInput) (*store.Report, *store.Account, error) {
	const op = "social.Report"
	if in.Forward {
		return nil, nil, invalid(op, "Validation failed: Forward is not supported: this server does not federate")
	}
	if err := checkText(op, "Comment", in.Comment, maxReportComment); err != nil {
		return nil, nil, err
	}
	category, err := s.reportCategory(op, in)
	if err != nil {
		return nil, nil, err
	}
	target, err := s.GetAccount(ctx, in.AccountID)
	if err != nil {
		return nil, nil, err
	}
	statusIDs := uniqueIDs(in.StatusIDs)
	if len(statusIDs) > MaxReportStatuses {
		return nil, nil, invalid(op, fmt.Sprintf("Validation failed: at most %d statuses may be attached", MaxReportStatuses))
	}
	sts, err := s.statusesInOrder(ctx, op, statusIDs)
	if err != nil {
		return nil, nil, err
	}
	visible, err := s.filterVisible(ctx, viewer, sts, readDirect)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range visible {
		if st.AccountID != in.AccountID {
			return nil, nil, notFound(op, "Record not found")
		}
	}
	if len(visible) != len(statusIDs) {
		return nil, nil, notFound(op, "Record not found")
	}
	now := s.nowUTC()
	n, err := s.store.CountReportsSince(ctx, viewer.ID, now.Add(-time.Hour))
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if n >= reportsPerHour {
		return nil, nil, &Error{Op: op, Kind: KindRateLimited, Safe: "Too many reports; try again later"}
	}
	slices.Sort(statusIDs)
	ruleIDs := uniqueIDs(in.RuleIDs)
	slices.Sort(ruleIDs)
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	r := &store.Report{ID: id, AccountID: viewer.ID, TargetAccountID: in.AccountID,
		StatusIDs: statusIDs, Category: category, Comment: in.Comment, RuleIDs: ruleIDs, CreatedAt: now}
	if err := s.store.PutReport(ctx, r); err != nil {
		return nil, nil, internal(op, err)
	}
	return r, target, nil
}

// reportCategory applies Mastodon's category rules: rule_ids make it a
// violation, a violation needs rule_ids, and every rule cited must exist.
func (s *Service) reportCategory(op string, in ReportInput) (string, error) {
	category := in.Category
	switch category {
	case "":
		category = store.ReportOther
	case store.ReportSpam, store.ReportLegal, store.ReportViolation, store.ReportOther:
	default:
		return "", invalid(op, "Validation failed: Category is not included in the list")
	}
	if len(in.RuleIDs) > 0 {
		category = store.ReportViolation
	}
	if category == store.ReportViolation && len(in.RuleIDs) == 0 {
		return "", invalid(op, "Validation failed: Rule ids can't be blank for a violation")
	}
	for _, id := range in.RuleIDs {
		if !slices.ContainsFunc(s.cfg.Rules, func(r Rule) bool { return r.ID == id }) {
			return "", invalid(op, "Validation failed: Rule ids must name the instance's rules")
		}
	}
	return category, nil
}

// ResolveReport marks a report as acted on, now (the admin listener; a
// second call keeps the first time), recorded in the audit log as actor's
// in the same transaction. NotFound if there is no such report.
func (s *Service) ResolveReport(ctx context.Context, actor string, id int64) (*store.Report, error) {
	const op = "social.ResolveReport"
	a, err := s.auditEntry(ctx, op, actor, store.AdminResolveReport, "")
	if err != nil {
		return nil, err
	}
	// Every call is logged, a repeated one too: it is what the moderator did.
	r, err := s.store.ResolveReport(ctx, id, a)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return r, nil
}

// Reports lists every report, newest first, for the moderators (the admin
// listener).
func (s *Service) Reports(ctx context.Context, page store.Page) ([]*store.Report, error) {
	rs, err := s.store.ListReports(ctx, page)
	if err != nil {
		return nil, internal("social.Reports", err)
	}
	return rs, nil
}
