package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Filter contexts: where a filter applies. Read paths name theirs when
// they apply filters (ApplyFilters).
const (
	FilterHome          = "home"          // home and list timelines
	FilterNotifications = "notifications" // notifications
	FilterPublic        = "public"        // public and hashtag timelines
	FilterThread        = "thread"        // a status's context
	FilterAccount       = "account"       // an account's statuses
)

var filterContexts = []string{FilterHome, FilterNotifications, FilterPublic, FilterThread, FilterAccount}

// Filter actions: warn marks a matching status (Status.filtered), hide
// leaves it out, blur marks it for its media to be blurred (Mastodon 4.4;
// there is no media yet, so clients show it as they show warn).
const (
	FilterWarn = "warn"
	FilterHide = "hide"
	FilterBlur = "blur"
)

// Per-account caps: every read path of the account matches its keywords
// against each status it shows, so they bound that work too.
const (
	MaxFilters             = 100
	MaxFilterKeywords      = 500 // over all the account's filters
	MaxFilterStatuses      = 1000
	maxFilterTitleChars    = 256
	maxFilterKeywordChars  = 256
	maxFilterExpiresIn     = maxMuteDuration
	filterLimitMessageBase = "Validation failed: "
)

var filterLimits = store.FilterLimits{Filters: MaxFilters, Keywords: MaxFilterKeywords}

// FilterInput creates or changes a filter. On a change, nil fields keep
// their value.
type FilterInput struct {
	Title   *string
	Context []string // nil: unchanged; on create, required
	Action  *string  // default warn
	// ExpiresIn is seconds from now; a pointer to 0 means never (the
	// empty expires_in Mastodon takes to clear an expiry).
	ExpiresIn *int
	Keywords  []KeywordInput
}

// KeywordInput adds (ID 0), changes or, with Destroy, removes a keyword.
type KeywordInput struct {
	ID        int64
	Keyword   string
	WholeWord bool
	Destroy   bool
}

// Filters lists viewer's filters, expired ones included, oldest first.
func (s *Service) Filters(ctx context.Context, viewer *store.Account) ([]*store.Filter, error) {
	fs, err := s.store.ListFilters(ctx, viewer.ID)
	if err != nil {
		return nil, internal("social.Filters", err)
	}
	return fs, nil
}

// Filter returns viewer's filter id.
func (s *Service) Filter(ctx context.Context, viewer *store.Account, id int64) (*store.Filter, error) {
	f, err := s.store.GetFilter(ctx, viewer.ID, id)
	if err != nil {
		return nil, removed("social.Filter", err)
	}
	return f, nil
}

// CreateFilter stores a new filter of viewer with its keywords.
func (s *Service) CreateFilter(ctx context.Context, viewer *store.Account, in FilterInput) (*store.Filter, error) {
	const op = "social.CreateFilter"
	if in.Title == nil {
		return nil, invalid(op, "Validation failed: Title can't be blank")
	}
	now := s.nowUTC()
	f := &store.Filter{AccountID: viewer.ID, Action: FilterWarn, CreatedAt: now}
	if in.Context == nil {
		return nil, invalid(op, "Validation failed: Context can't be blank")
	}
	if err := s.applyFilterInput(op, f, in, now); err != nil {
		return nil, err
	}
	for _, k := range in.Keywords {
		if k.ID == 0 && !k.Destroy {
			if _, err := checkKeyword(op, k.Keyword); err != nil {
				return nil, err
			}
		}
	}
	// IDs are taken after validation: a bad request is a 422 even while
	// this process holds no ID node (which would make it a 503).
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	f.ID = id
	for _, k := range in.Keywords {
		if k.ID != 0 || k.Destroy {
			continue
		}
		kw, err := s.newKeyword(ctx, op, f.ID, k)
		if err != nil {
			return nil, err
		}
		f.Keywords = append(f.Keywords, kw)
	}
	if err := s.store.PutFilter(ctx, f, filterLimits); err != nil {
		return nil, filterWriteError(op, err)
	}
	s.filtersChanged(ctx, viewer)
	return s.Filter(ctx, viewer, f.ID)
}

// applyFilterInput validates in and sets what it names on f.
func (s *Service) applyFilterInput(op string, f *store.Filter, in FilterInput, now time.Time) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if t == "" {
			return invalid(op, "Validation failed: Title can't be blank")
		}
		if err := checkText(op, "Title", t, maxFilterTitleChars); err != nil {
			return err
		}
		f.Title = t
	}
	if in.Context != nil {
		c, err := checkFilterContext(op, in.Context)
		if err != nil {
			return err
		}
		f.Context = c
	}
	if in.Action != nil {
		switch *in.Action {
		case FilterWarn, FilterHide, FilterBlur:
			f.Action = *in.Action
		default:
			return invalid(op, "Validation failed: Filter action is not included in the list")
		}
	}
	if in.ExpiresIn != nil {
		switch n := *in.ExpiresIn; {
		case n == 0:
			f.ExpiresAt = nil
		case n < 0 || n > maxFilterExpiresIn:
			return invalid(op, "Validation failed: Expires in must be a positive number of seconds")
		default:
			exp := now.Add(time.Duration(n) * time.Second)
			f.ExpiresAt = &exp
		}
	}
	return nil
}

// checkFilterContext keeps each context once, in Mastodon's order, and
// refuses an empty list or an unknown context.
func checkFilterContext(op string, in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, invalid(op, "Validation failed: Context can't be blank")
	}
	for _, c := range in {
		if !slices.Contains(filterContexts, c) {
			return nil, invalid(op, "Validation failed: Context contains invalid values")
		}
	}
	out := make([]string, 0, len(filterContexts))
	for _, c := range filterContexts {
		if slices.Contains(in, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Service) newKeyword(ctx context.Context, op string, filterID int64, k KeywordInput) (*store.FilterKeyword, error) {
	kw, err := checkKeyword(op, k.Keyword)
	if err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	return &store.FilterKeyword{ID: id, FilterID: filterID, Keyword: kw, WholeWord: k.WholeWord}, nil
}

func checkKeyword(op, kw string) (string, error) {
	kw = strings.TrimSpace(kw)
	if kw == "" {
		return "", invalid(op, "Validation failed: Keyword can't be blank")
	}
	if err := checkText(op, "Keyword", kw, maxFilterKeywordChars); err != nil {
		return "", err
	}
	return kw, nil
}

// filterWriteError maps a filter write's store error.
func filterWriteError(op string, err error) error {
	switch {
	case errors.Is(err, store.ErrLimit):
		return invalid(op, fmt.Sprintf("%sat most %d filters and %d keywords per account", filterLimitMessageBase, MaxFilters, MaxFilterKeywords))
	default:
		return removed(op, err)
	}
}

// UpdateFilter changes viewer's filter id: the fields in names, and its
// keywords (added without an ID, changed with one, removed with Destroy).
func (s *Service) UpdateFilter(ctx context.Context, viewer *store.Account, id int64, in FilterInput) (*store.Filter, error) {
	const op = "social.UpdateFilter"
	f, err := s.Filter(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyFilterInput(op, f, in, s.nowUTC()); err != nil {
		return nil, err
	}
	u := &store.FilterUpdate{Filter: f}
	if in.Title != nil {
		u.Columns = append(u.Columns, "title")
	}
	if in.Context != nil {
		u.Columns = append(u.Columns, "context")
	}
	if in.Action != nil {
		u.Columns = append(u.Columns, "action")
	}
	if in.ExpiresIn != nil {
		u.Columns = append(u.Columns, "expires_at")
	}
	for _, k := range in.Keywords {
		switch {
		case k.ID != 0 && k.Destroy:
			u.DeleteKeywordIDs = append(u.DeleteKeywordIDs, k.ID)
		case k.ID != 0:
			kw, err := checkKeyword(op, k.Keyword)
			if err != nil {
				return nil, err
			}
			u.UpdateKeywords = append(u.UpdateKeywords, &store.FilterKeyword{ID: k.ID, FilterID: f.ID, Keyword: kw, WholeWord: k.WholeWord})
		case !k.Destroy:
			kw, err := s.newKeyword(ctx, op, f.ID, k)
			if err != nil {
				return nil, err
			}
			u.AddKeywords = append(u.AddKeywords, kw)
		}
	}
	if err := s.store.UpdateFilter(ctx, u, filterLimits); err != nil {
		return nil, filterWriteError(op, err)
	}
	s.filtersChanged(ctx, viewer)
	return s.Filter(ctx, viewer, id)
}

// DeleteFilter deletes viewer's filter id with its keywords and statuses.
func (s *Service) DeleteFilter(ctx context.Context, viewer *store.Account, id int64) error {
	if err := s.store.DeleteFilter(ctx, viewer.ID, id); err != nil {
		return removed("social.DeleteFilter", err)
	}
	s.filtersChanged(ctx, viewer)
	return nil
}

// FilterKeyword returns viewer's filter keyword id.
func (s *Service) FilterKeyword(ctx context.Context, viewer *store.Account, id int64) (*store.FilterKeyword, error) {
	k, err := s.store.GetFilterKeyword(ctx, viewer.ID, id)
	if err != nil {
		return nil, removed("social.FilterKeyword", err)
	}
	return k, nil
}

// AddFilterKeyword adds a keyword to viewer's filter filterID.
func (s *Service) AddFilterKeyword(ctx context.Context, viewer *store.Account, filterID int64, in KeywordInput) (*store.FilterKeyword, error) {
	const op = "social.AddFilterKeyword"
	k, err := s.newKeyword(ctx, op, filterID, in)
	if err != nil {
		return nil, err
	}
	u := &store.FilterUpdate{Filter: &store.Filter{ID: filterID, AccountID: viewer.ID}, AddKeywords: []*store.FilterKeyword{k}}
	if err := s.store.UpdateFilter(ctx, u, filterLimits); err != nil {
		return nil, filterWriteError(op, err)
	}
	s.filtersChanged(ctx, viewer)
	return k, nil
}

// UpdateFilterKeyword changes viewer's keyword id.
func (s *Service) UpdateFilterKeyword(ctx context.Context, viewer *store.Account, id int64, in KeywordInput) (*store.FilterKeyword, error) {
	const op = "social.UpdateFilterKeyword"
	k, err := s.FilterKeyword(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if k.Keyword, err = checkKeyword(op, in.Keyword); err != nil {
		return nil, err
	}
	k.WholeWord = in.WholeWord
	u := &store.FilterUpdate{Filter: &store.Filter{ID: k.FilterID, AccountID: viewer.ID}, UpdateKeywords: []*store.FilterKeyword{k}}
	if err := s.store.UpdateFilter(ctx, u, filterLimits); err != nil {
		return nil, filterWriteError(op, err)
	}
	s.filtersChanged(ctx, viewer)
	return k, nil
}

// DeleteFilterKeyword removes viewer's keyword id.
func (s *Service) DeleteFilterKeyword(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.DeleteFilterKeyword"
	k, err := s.FilterKeyword(ctx, viewer, id)
	if err != nil {
		return err
	}
	u := &store.FilterUpdate{Filter: &store.Filter{ID: k.FilterID, AccountID: viewer.ID}, DeleteKeywordIDs: []int64{id}}
	if err := s.store.UpdateFilter(ctx, u, filterLimits); err != nil {
		return filterWriteError(op, err)
	}
	s.filtersChanged(ctx, viewer)
	return nil
}

// FilterStatus returns viewer's filter status id.
func (s *Service) FilterStatus(ctx context.Context, viewer *store.Account, id int64) (*store.FilterStatus, error) {
	fs, err := s.store.GetFilterStatus(ctx, viewer.ID, id)
	if err != nil {
		return nil, removed("social.FilterStatus", err)
	}
	return fs, nil
}

// AddFilterStatus makes viewer's filter filterID name statusID, a status
// viewer may see (one it may not is not found, so the filter reveals
// nothing); naming it again is a validation error, as in Mastodon.
func (s *Service) AddFilterStatus(ctx context.Context, viewer *store.Account, filterID, statusID int64) (*store.FilterStatus, error) {
	const op = "social.AddFilterStatus"
	if _, err := s.GetStatus(ctx, viewer, statusID); err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	fs := &store.FilterStatus{ID: id, FilterID: filterID, StatusID: statusID, CreatedAt: s.nowUTC()}
	switch err := s.store.PutFilterStatus(ctx, viewer.ID, fs, MaxFilterStatuses); {
	case err == nil:
		s.filtersChanged(ctx, viewer)
		return fs, nil
	case errors.Is(err, store.ErrConflict):
		return nil, invalid(op, "Validation failed: Status has already been taken")
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, fmt.Sprintf("%sat most %d filtered statuses per account", filterLimitMessageBase, MaxFilterStatuses))
	default:
		return nil, removed(op, err)
	}
}

// DeleteFilterStatus removes viewer's filter status id.
func (s *Service) DeleteFilterStatus(ctx context.Context, viewer *store.Account, id int64) error {
	if err := s.store.DeleteFilterStatus(ctx, viewer.ID, id); err != nil {
		return removed("social.DeleteFilterStatus", err)
	}
	s.filtersChanged(ctx, viewer)
	return nil
}

// filtersChanged tells the streams that viewer's filters changed: what
// they hold of them (StreamViewer) is reloaded before the next event, and
// viewer's user streams get Mastodon's filters_changed.
func (s *Service) filtersChanged(ctx context.Context, viewer *store.Account) {
	s.publish(ctx, Event{Kind: EventFiltersChanged, Users: []int64{viewer.ID}})
}
