package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// maxAdminReason bounds the reason a moderator gives for an action.
const maxAdminReason = 1000

// audit appends a moderator's action to the audit log.
func (s *Service) audit(ctx context.Context, op string, a store.AdminAction) error {
	a.ID, a.CreatedAt = s.ids.Next(), s.nowUTC()
	if err := s.store.PutAdminAction(ctx, &a); err != nil {
		// The action is done; the caller learns its entry is missing.
		s.log.ErrorContext(ctx, "admin action not recorded in the audit log", "action", a.Action,
			"status_id", a.TargetStatusID, "account_id", a.TargetAccountID, "report_id", a.ReportID, "err", err)
		return internal(op, err)
	}
	return nil
}

// AdminDeleteStatus deletes any status, whoever wrote it, as a moderator
// (the admin listener; Mastodon's DELETE /api/v1/admin/...), and records
// it in the audit log with reason. The status leaves timelines, search and
// streams as when its author deletes it. NotFound if there is none.
func (s *Service) AdminDeleteStatus(ctx context.Context, id int64, reason string) (*store.Status, error) {
	const op = "social.AdminDeleteStatus"
	if err := checkText(op, "Reason", reason, maxAdminReason); err != nil {
		return nil, err
	}
	// A moderator's removal takes the attachments with it: nobody redrafts.
	deleted, _, err := s.removeStatus(ctx, op, id, true)
	if err != nil {
		return nil, err
	}
	return deleted, s.audit(ctx, op, store.AdminAction{Action: store.AdminDeleteStatus,
		TargetAccountID: deleted.AccountID, TargetStatusID: deleted.ID, Reason: reason})
}

// AdminActions lists the moderators' audit log, newest first.
func (s *Service) AdminActions(ctx context.Context, page store.Page) ([]*store.AdminAction, error) {
	as, err := s.store.ListAdminActions(ctx, page)
	if err != nil {
		return nil, internal("social.AdminActions", err)
	}
	return as, nil
}
