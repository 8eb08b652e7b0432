package store

import (
	"context"
	"time"
)

// Admin actions recorded in the audit log.
const (
	AdminDeleteStatus         = "status.delete"
	AdminResolveReport        = "report.resolve"
	AdminWarnAccount          = "account.none" // Mastodon's action type=none: on record, nothing else
	AdminSilenceAccount       = "account.silence"
	AdminSuspendAccount       = "account.suspend"
	AdminUnsilenceAccount     = "account.unsilence"
	AdminUnsuspendAccount     = "account.unsuspend"
	AdminPublishAnnouncement  = "announcement.publish"
	AdminWithdrawAnnouncement = "announcement.withdraw"
	// The operator's actions on the running processes (TargetName names
	// what they act on); they change no table, so their entry is written
	// on its own, after the action.
	AdminReloadPlugin  = "plugin.reload"
	AdminEnablePlugin  = "plugin.enable"
	AdminDisablePlugin = "plugin.disable"
	AdminSwitchFeed    = "feed.strategy"
	AdminRebuildIndex  = "index.rebuild"
)

// AdminAction is one entry of the moderators' audit log: who did it (the
// name the admin listener's caller gave, "" when none), what was done, to
// what (IDs, 0 when none), and why.
type AdminAction struct {
	ID              int64
	CreatedAt       time.Time
	Actor           string
	Action          string
	TargetAccountID int64
	TargetStatusID  int64
	ReportID        int64
	Reason          string
	AnnouncementID  int64
	TargetName      string // a plugin, index or feed strategy; "" when none
}

// AccountModeration is what a moderator's action on an account changes.
// The audit entry is written in the same transaction as the change, so
// the log never lacks an action that took effect, nor holds one that did
// not.
type AccountModeration struct {
	// Suspend and Silence set (true) or clear (false) SuspendedAt and
	// SilencedAt when not nil; nil leaves the column alone. Setting what
	// is already set keeps the earlier time.
	Suspend *bool
	Silence *bool
	// Audit is appended to the log; its TargetAccountID is the account's,
	// its CreatedAt the time a set column takes. When Audit.ReportID is
	// not 0, that report is marked acted on at the same time (kept if it
	// already was).
	Audit *AdminAction
}

// AdminAccountQuery selects accounts for the moderators
// (GET /api/v1/admin/accounts): every condition set must hold.
type AdminAccountQuery struct {
	Suspended   bool   // only suspended accounts
	Silenced    bool   // only silenced accounts
	Active      bool   // only accounts not suspended
	Username    string // lower(username) starts with it (LIKE wildcards match literally)
	DisplayName string // lower(display_name) starts with it (likewise)
	Page        Page   // by accounts.id
}

// AdminActions is the moderators' audit log, and the moderators' actions
// that must be written with their entry in one transaction.
type AdminActions interface {
	// PutAdminAction appends a.
	PutAdminAction(ctx context.Context, a *AdminAction) error
	// ListAdminActions lists the entries inside page, newest (highest
	// admin_actions.id) first.
	ListAdminActions(ctx context.Context, page Page) ([]*AdminAction, error)
	// ModerateAccount applies m to the account matching id and appends
	// m.Audit, in one transaction, and returns the account as it is then.
	// ErrNotFound if there is no such account, or m.Audit names a report
	// that does not exist (then nothing changed).
	ModerateAccount(ctx context.Context, id int64, m AccountModeration) (*Account, error)
	// ListAdminAccounts lists the accounts q selects, newest (highest
	// accounts.id) first inside q.Page.
	ListAdminAccounts(ctx context.Context, q AdminAccountQuery) ([]*Account, error)
	// DeleteStatusAudited is DeleteStatusByID with a appended to the audit
	// log in the same transaction (a moderator's removal).
	DeleteStatusAudited(ctx context.Context, id int64, a *AdminAction) (*Status, []*Status, error)
}
