package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// maxListMembers bounds a list, so a list timeline is one bounded query.
const maxListMembers = 1000

// maxListTitle is the longest list title, in runes.
const maxListTitle = 255

// maxLists bounds the lists one account owns (Mastodon's
// List::PER_ACCOUNT_LIMIT is 50 too), so a list is never unbounded work.
const maxLists = 50

// ListInput is a list as a client creates or updates it; nil fields are
// left as they are on update (and take defaults on create).
type ListInput struct {
	Title         *string
	RepliesPolicy *string // followed, list, none
	Exclusive     *bool
}

func (in ListInput) apply(op string, l *store.List) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if t == "" {
			return invalid(op, "Validation failed: Title can't be blank")
		}
		if utf8.RuneCountInString(t) > maxListTitle {
			return invalid(op, "Validation failed: Title is too long")
		}
		l.Title = t
	}
	if in.RepliesPolicy != nil {
		switch *in.RepliesPolicy {
		case "followed", "list", "none":
			l.RepliesPolicy = *in.RepliesPolicy
		default:
			return invalid(op, "Validation failed: Replies policy is not included in the list")
		}
	}
	if in.Exclusive != nil {
		if *in.Exclusive {
			// An exclusive list's members leave home, and home does not
			// know lists yet: refused rather than stored and ignored.
			return invalid(op, "Validation failed: exclusive is not supported by this server yet")
		}
		l.Exclusive = false
	}
	return nil
}

// CreateList creates a list owned by viewer.
func (s *Service) CreateList(ctx context.Context, viewer *store.Account, in ListInput) (*store.List, error) {
	const op = "social.CreateList"
	if in.Title == nil {
		return nil, invalid(op, "Validation failed: Title can't be blank")
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	l := &store.List{ID: id, AccountID: viewer.ID, RepliesPolicy: "list", CreatedAt: s.nowUTC()}
	if err := in.apply(op, l); err != nil {
		return nil, err
	}
	if err := s.store.PutList(ctx, l, maxLists); err != nil {
		if errors.Is(err, store.ErrLimit) {
			return nil, &Error{Op: op, Kind: KindInvalid, Err: err,
				Safe: fmt.Sprintf("Validation failed: You have reached the maximum number of lists (%d)", maxLists)}
		}
		return nil, internal(op, err)
	}
	return l, nil
}

// ownList loads a list of viewer's; someone else's list does not exist.
func (s *Service) ownList(ctx context.Context, op string, viewer *store.Account, id int64) (*store.List, error) {
	l, err := s.store.GetListByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && l.AccountID != viewer.ID {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return l, nil
}

// GetList returns one of viewer's lists.
func (s *Service) GetList(ctx context.Context, viewer *store.Account, id int64) (*store.List, error) {
	return s.ownList(ctx, "social.GetList", viewer, id)
}

// Lists returns viewer's lists.
func (s *Service) Lists(ctx context.Context, viewer *store.Account) ([]*store.List, error) {
	ls, err := s.store.GetListsByAccountID(ctx, viewer.ID)
	if err != nil {
		return nil, internal("social.Lists", err)
	}
	return ls, nil
}

// UpdateList changes one of viewer's lists.
func (s *Service) UpdateList(ctx context.Context, viewer *store.Account, id int64, in ListInput) (*store.List, error) {
	const op = "social.UpdateList"
	l, err := s.ownList(ctx, op, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := in.apply(op, l); err != nil {
		return nil, err
	}
	if err := s.store.UpdateList(ctx, l); err != nil {
		return nil, internal(op, err)
	}
	return l, nil
}

// DeleteList deletes one of viewer's lists.
func (s *Service) DeleteList(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.DeleteList"
	if _, err := s.ownList(ctx, op, viewer, id); err != nil {
		return err
	}
	if err := s.store.DeleteListByID(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return internal(op, err)
	}
	return nil
}

// ListAccounts lists the members of one of viewer's lists; limit 0 in
// page means all of them (Mastodon's limit=0).
func (s *Service) ListAccounts(ctx context.Context, viewer *store.Account, id int64, page store.Page) ([]*store.Account, error) {
	const op = "social.ListAccounts"
	if _, err := s.ownList(ctx, op, viewer, id); err != nil {
		return nil, err
	}
	if page.Limit == 0 {
		page.Limit = maxListMembers
	}
	ids, err := s.store.ListListAccountIDs(ctx, id, page)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.accountsInOrder(ctx, ids)
}

// AddListAccounts adds accounts to one of viewer's lists. Each must be
// followed by viewer, as Mastodon requires: a list is a view of home.
func (s *Service) AddListAccounts(ctx context.Context, viewer *store.Account, id int64, accountIDs []int64) error {
	const op = "social.AddListAccounts"
	if _, err := s.ownList(ctx, op, viewer, id); err != nil {
		return err
	}
	if len(accountIDs) == 0 {
		return invalid(op, "Validation failed: account_ids can't be blank")
	}
	following, err := s.store.GetFollowingIDs(ctx, viewer.ID)
	if err != nil {
		return internal(op, err)
	}
	followed := make(map[int64]bool, len(following))
	for _, f := range following {
		followed[f] = true
	}
	for _, a := range accountIDs {
		if !followed[a] {
			return notFound(op, "Record not found") // Mastodon: only followed accounts can be found
		}
	}
	members, err := s.store.ListListAccountIDs(ctx, id, store.Page{Limit: maxListMembers})
	if err != nil {
		return internal(op, err)
	}
	if len(members)+len(accountIDs) > maxListMembers {
		return invalid(op, "Validation failed: List is full")
	}
	if err := s.store.PutListAccounts(ctx, id, accountIDs); err != nil {
		return internal(op, err)
	}
	return nil
}

// RemoveListAccounts removes accounts from one of viewer's lists.
func (s *Service) RemoveListAccounts(ctx context.Context, viewer *store.Account, id int64, accountIDs []int64) error {
	const op = "social.RemoveListAccounts"
	if _, err := s.ownList(ctx, op, viewer, id); err != nil {
		return err
	}
	if err := s.store.DeleteListAccounts(ctx, id, accountIDs); err != nil {
		return internal(op, err)
	}
	return nil
}
