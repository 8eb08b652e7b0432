package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// maxAdminQueryChars bounds the username and display-name prefixes a
// moderator filters accounts by.
const maxAdminQueryChars = 100

// AdminAccountQuery is GET /api/v1/admin/accounts's selection, in the
// terms Starling can honour: every account is local and none is staff (the
// admin listener's token is the only moderator), so Remote and Staff
// select nothing.
type AdminAccountQuery struct {
	Active, Suspended, Silenced bool
	Remote, Staff               bool
	Username, DisplayName       string // prefixes, case-insensitive
	Page                        store.Page
}

// AdminAccounts lists the accounts q selects, suspended ones included,
// newest first, for the moderators (the admin listener).
func (s *Service) AdminAccounts(ctx context.Context, q AdminAccountQuery) ([]*store.Account, error) {
	const op = "social.AdminAccounts"
	if err := checkText(op, "username", q.Username, maxAdminQueryChars); err != nil {
		return nil, err
	}
	if err := checkText(op, "display_name", q.DisplayName, maxAdminQueryChars); err != nil {
		return nil, err
	}
	if q.Remote || q.Staff {
		return []*store.Account{}, nil
	}
	as, err := s.store.ListAdminAccounts(ctx, store.AdminAccountQuery{Active: q.Active, Suspended: q.Suspended,
		Silenced: q.Silenced, Username: q.Username, DisplayName: q.DisplayName, Page: q.Page})
	if err != nil {
		return nil, internal(op, err)
	}
	if as == nil {
		as = []*store.Account{}
	}
	return as, nil
}

// AdminAccount returns any account by ID, suspended or not, for the
// moderators. NotFound if there is none.
func (s *Service) AdminAccount(ctx context.Context, id int64) (*store.Account, error) {
	const op = "social.AdminAccount"
	a, err := s.store.GetAccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return a, nil
}

// Account action types (Mastodon's POST /api/v1/admin/accounts/:id/action
// type). Mastodon's "disable" (a login flag apart from suspension) and
// "sensitive" (media) do not exist here and are refused.
const (
	ActionNone    = "none"
	ActionSilence = "silence"
	ActionSuspend = "suspend"
)

// AccountActionInput is a moderator's action on an account.
type AccountActionInput struct {
	Type     string // ActionNone, ActionSilence or ActionSuspend
	ReportID int64  // 0, or a report on the account, which the action resolves
	Text     string // the moderator's note, kept in the audit log
}

// AdminAccountAction takes action on account id as actor (the admin
// listener), recorded in the audit log in the action's transaction. A
// suspended account can no longer sign in, its tokens stop authenticating
// at once, its streams close, and it and its statuses leave every read
// path (the visibility rule); silence keeps its statuses to its
// followers. Both are lifted by AdminUnsuspend and AdminUnsilence. None
// only puts the note on record (and resolves the report). NotFound if
// there is no such account; Invalid for an unknown type or a report that
// is not about this account.
func (s *Service) AdminAccountAction(ctx context.Context, actor string, id int64, in AccountActionInput) (*store.Account, error) {
	const op = "social.AdminAccountAction"
	var m store.AccountModeration
	action := store.AdminWarnAccount
	switch in.Type {
	case ActionNone:
	case ActionSilence:
		m.Silence, action = ptrTrue(), store.AdminSilenceAccount
	case ActionSuspend:
		m.Suspend, action = ptrTrue(), store.AdminSuspendAccount
	default:
		return nil, invalid(op, fmt.Sprintf("Validation failed: type must be one of %s, %s, %s", ActionNone, ActionSilence, ActionSuspend))
	}
	if in.ReportID != 0 {
		if err := s.checkReportOn(ctx, op, in.ReportID, id); err != nil {
			return nil, err
		}
	}
	return s.applyModeration(ctx, op, actor, id, action, in.Text, in.ReportID, m)
}

// AdminUnsuspend lifts a suspension: the account's tokens authenticate
// again and its statuses come back wherever the rule lets them. Lifting
// none is no error (and still on record).
func (s *Service) AdminUnsuspend(ctx context.Context, actor string, id int64) (*store.Account, error) {
	f := false
	return s.applyModeration(ctx, "social.AdminUnsuspend", actor, id, store.AdminUnsuspendAccount, "", 0,
		store.AccountModeration{Suspend: &f})
}

// AdminUnsilence lifts a silence, as AdminUnsuspend does a suspension.
func (s *Service) AdminUnsilence(ctx context.Context, actor string, id int64) (*store.Account, error) {
	f := false
	return s.applyModeration(ctx, "social.AdminUnsilence", actor, id, store.AdminUnsilenceAccount, "", 0,
		store.AccountModeration{Silence: &f})
}

func ptrTrue() *bool { t := true; return &t }

// checkReportOn makes sure report reportID exists and is about accountID.
func (s *Service) checkReportOn(ctx context.Context, op string, reportID, accountID int64) error {
	r, err := s.store.GetReportByID(ctx, reportID)
	if errors.Is(err, store.ErrNotFound) {
		return invalid(op, "Validation failed: report_id names no report")
	}
	if err != nil {
		return internal(op, err)
	}
	if r.TargetAccountID != accountID {
		return invalid(op, "Validation failed: the report is about another account")
	}
	return nil
}

// applyModeration applies m to account id with its audit entry (one
// transaction), then tells the processes: a suspension ends the account's
// streaming connections everywhere and takes its statuses out of every
// search index (lifting it puts them back). What the visibility rule
// hides needs no telling: every read path loads the moderated accounts
// afresh.
func (s *Service) applyModeration(ctx context.Context, op, actor string, id int64, action, reason string, reportID int64, m store.AccountModeration) (*store.Account, error) {
	a, err := s.auditEntry(ctx, op, actor, action, reason)
	if err != nil {
		return nil, err
	}
	a.ReportID = reportID
	m.Audit = a
	acct, err := s.store.ModerateAccount(ctx, id, m)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if acct.SuspendedAt != nil {
		s.publish(ctx, Event{Kind: EventSessionsRevoked, Users: []int64{id}})
	}
	if m.Suspend != nil && s.index != nil {
		// Out of (or back into) this process's index now; the event
		// (revoked or reinstated) does the same in every process, as a
		// deletion's does.
		s.index.AccountSuspended(ctx, id, acct.SuspendedAt != nil)
		if acct.SuspendedAt == nil {
			s.publish(ctx, Event{Kind: EventAccountsReinstated, Users: []int64{id}})
		}
	}
	if m.Suspend != nil && s.home != nil {
		// The rule hides the account's statuses on every read either way;
		// dropping its followers' cached homes (the feed's own
		// invalidation hook) lets their rebuild, which leaves suspended
		// authors out in SQL, serve full pages, and bring them back after.
		ids := []int64{id}
		for _, f := range s.followers(ctx, id) {
			ids = append(ids, f.AccountID)
		}
		s.home.HomeChanged(ctx, ids...)
	}
	return acct, nil
}
