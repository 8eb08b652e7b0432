package store

import (
	"context"
	"strings"
	"time"
)

// Filter is an account's content filter (Mastodon's CustomFilter): statuses
// matching one of its keywords, or named in its statuses, are marked or
// hidden in the contexts it lists until it expires.
type Filter struct {
	ID        int64
	AccountID int64
	Title     string
	Context   []string   // home, notifications, public, thread, account
	Action    string     // warn, hide or blur
	ExpiresAt *time.Time // nil: never
	CreatedAt time.Time
	Keywords  []*FilterKeyword // ascending by ID
	Statuses  []*FilterStatus  // ascending by ID
}

// FilterKeyword is one keyword of a filter.
type FilterKeyword struct {
	ID        int64
	FilterID  int64
	Keyword   string
	WholeWord bool
}

// FilterStatus is one status a filter names.
type FilterStatus struct {
	ID        int64
	FilterID  int64
	StatusID  int64
	CreatedAt time.Time
}

// FilterLimits caps what one account keeps in its filters; writes that
// would pass one fail with ErrLimit and change nothing.
type FilterLimits struct {
	Filters  int // filters per account
	Keywords int // keywords per account, over all its filters
}

// FilterUpdate is one change of a filter, applied in one transaction: the
// named Columns (title, context, action, expires_at) take Filter's values,
// then keywords are deleted, updated (keyword, whole_word) and added.
type FilterUpdate struct {
	Filter           *Filter // ID and AccountID select it
	Columns          []string
	DeleteKeywordIDs []int64
	UpdateKeywords   []*FilterKeyword
	AddKeywords      []*FilterKeyword
}

// Filters stores content filters, their keywords and statuses. Every
// lookup is by owner too, so one account never reaches another's filters.
type Filters interface {
	// PutFilter inserts f with its keywords in one transaction; ErrLimit if
	// the account would then pass lim; ErrNotFound if the account does not
	// exist.
	PutFilter(ctx context.Context, f *Filter, lim FilterLimits) error
	// UpdateFilter applies u in one transaction; ErrNotFound if the account
	// has no filter u.Filter.ID or a keyword to update or delete is not
	// that filter's; ErrLimit if the account would pass lim.Keywords.
	UpdateFilter(ctx context.Context, u *FilterUpdate, lim FilterLimits) error
	// DeleteFilter deletes accountID's filter id with its keywords and
	// statuses; ErrNotFound if there is none.
	DeleteFilter(ctx context.Context, accountID, id int64) error
	// GetFilter matches (account_id, id), with its keywords and statuses.
	GetFilter(ctx context.Context, accountID, id int64) (*Filter, error)
	// ListFilters lists accountID's filters ascending by ID, expired ones
	// included, each with its keywords and statuses (three queries).
	ListFilters(ctx context.Context, accountID int64) ([]*Filter, error)
	// GetFilterKeyword matches filter_keywords.id among accountID's.
	GetFilterKeyword(ctx context.Context, accountID, id int64) (*FilterKeyword, error)
	// PutFilterStatus adds fs to accountID's filter fs.FilterID unless the
	// account's filters name max statuses already (ErrLimit); ErrConflict
	// if the filter names the status already; ErrNotFound if the account
	// has no such filter or the status does not exist.
	PutFilterStatus(ctx context.Context, accountID int64, fs *FilterStatus, max int) error
	// GetFilterStatus matches filter_statuses.id among accountID's.
	GetFilterStatus(ctx context.Context, accountID, id int64) (*FilterStatus, error)
	// DeleteFilterStatus deletes filter_statuses.id among accountID's;
	// ErrNotFound if there is none.
	DeleteFilterStatus(ctx context.Context, accountID, id int64) error
}

// FilterContexts joins a filter's contexts for its one text column, and
// SplitFilterContexts reads them back; both backends store them so.
func FilterContexts(c []string) string { return strings.Join(c, ",") }

// SplitFilterContexts is the inverse of FilterContexts.
func SplitFilterContexts(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// AttachFilterParts puts each keyword and status (ascending by ID, as the
// backends select them) under its filter among fs.
func AttachFilterParts(fs []*Filter, kws []*FilterKeyword, sts []*FilterStatus) {
	byID := make(map[int64]*Filter, len(fs))
	for _, f := range fs {
		f.Keywords, f.Statuses = []*FilterKeyword{}, []*FilterStatus{}
		byID[f.ID] = f
	}
	for _, k := range kws {
		if f, ok := byID[k.FilterID]; ok {
			f.Keywords = append(f.Keywords, k)
		}
	}
	for _, s := range sts {
		if f, ok := byID[s.FilterID]; ok {
			f.Statuses = append(f.Statuses, s)
		}
	}
}
