package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// AccountPage is one page of an account list that Mastodon pages by the ID
// of the row that puts each account in it (a follow, block, mute or follow
// request), not by the account's ID.
type AccountPage struct {
	Accounts []*store.Account
	// Cursor holds the first and last row IDs of the page the store
	// returned. Rows whose account is hidden from the viewer still count,
	// so the next page starts after them.
	Cursor
}

// accountPage loads the accounts of a page of rows, keeping the rows' order
// and dropping accounts that vanished, that hide is true for, or that the
// account rule hides (accountHidden: suspended).
func (s *Service) accountPage(ctx context.Context, op string, rowIDs, accountIDs []int64, hide map[int64]bool) (*AccountPage, error) {
	page := &AccountPage{Accounts: []*store.Account{}}
	if len(rowIDs) == 0 {
		return page, nil
	}
	page.Newest, page.Oldest = rowIDs[0], rowIDs[len(rowIDs)-1]
	accts, err := s.accountsInOrder(ctx, accountIDs)
	if err != nil {
		return nil, internal(op, err)
	}
	for _, a := range accts {
		if !hide[a.ID] && !accountHidden(a) {
			page.Accounts = append(page.Accounts, a)
		}
	}
	return page, nil
}

// accountList is the one rule for the account lists other accounts'
// actions make (followers, following, favourited_by, reblogged_by): an
// account the viewer blocks or is blocked by is left out, as it is left out
// of every status read path. The viewer's own lists of whom it blocks,
// mutes or is asked by are not subject to it (accountPage with no hide).
func (s *Service) accountList(ctx context.Context, op string, viewer *store.Account, rowIDs, accountIDs []int64) (*AccountPage, error) {
	hide, err := s.blockedSet(ctx, op, viewer)
	if err != nil {
		return nil, err
	}
	return s.accountPage(ctx, op, rowIDs, accountIDs, hide)
}

// blockedSet is the accounts viewer blocks or is blocked by (nil viewer:
// none).
func (s *Service) blockedSet(ctx context.Context, op string, viewer *store.Account) (map[int64]bool, error) {
	if viewer == nil {
		return nil, nil
	}
	ids, err := s.store.GetBlockedAndBlockingIDs(ctx, viewer.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	return idSet(ids), nil
}

// idSet is a lookup set of ids.
func idSet(ids []int64) map[int64]bool { return store.IDSet(ids) }

// Block makes viewer block targetID. The store severs the follows and
// follow requests between them in the same transaction. Blocking again is
// not an error.
func (s *Service) Block(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Block"
	if targetID == viewer.ID {
		return nil, errNotAllowed(op)
	}
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	b := &store.Block{ID: id, AccountID: viewer.ID, TargetAccountID: targetID, CreatedAt: s.nowUTC()}
	if err := s.store.PutBlock(ctx, b); err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Unblock removes viewer's block of targetID, if there is one.
func (s *Service) Unblock(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Unblock"
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteBlock(ctx, viewer.ID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Blocks lists the accounts viewer blocks, newest block first.
func (s *Service) Blocks(ctx context.Context, viewer *store.Account, page store.Page) (*AccountPage, error) {
	const op = "social.Blocks"
	rows, err := s.store.ListBlocks(ctx, viewer.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	rowIDs, accountIDs := make([]int64, len(rows)), make([]int64, len(rows))
	for i, b := range rows {
		rowIDs[i], accountIDs[i] = b.ID, b.TargetAccountID
	}
	return s.accountPage(ctx, op, rowIDs, accountIDs, nil)
}
