package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// maxFamiliarFollowers bounds the accounts listed per target: a viewer
// who follows thousands could otherwise make one request list them all
// for every target.
const maxFamiliarFollowers = 40

// FamiliarFollowers is, for one account, the accounts that follow it and
// that the viewer follows.
type FamiliarFollowers struct {
	ID       int64
	Accounts []*store.Account
}

// FamiliarFollowers answers, for each of ids (in order), which accounts
// viewer follows also follow it, newest follow first, at most
// maxFamiliarFollowers each. Across a block, either way, there are none.
func (s *Service) FamiliarFollowers(ctx context.Context, viewer *store.Account, ids []int64) ([]*FamiliarFollowers, error) {
	const op = "social.FamiliarFollowers"
	blocked, err := s.blockedSet(ctx, op, viewer)
	if err != nil {
		return nil, err
	}
	followers, err := s.store.ListFamiliarFollowers(ctx, viewer.ID, ids, maxFamiliarFollowers)
	if err != nil {
		return nil, internal(op, err)
	}
	var all []int64
	for _, f := range followers {
		all = append(all, f...)
	}
	accounts, err := s.AccountsByIDs(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]*FamiliarFollowers, len(ids))
	for i, id := range ids {
		ff := &FamiliarFollowers{ID: id, Accounts: []*store.Account{}}
		if !blocked[id] {
			for _, fid := range followers[id] {
				if a, ok := accounts[fid]; ok && !blocked[fid] {
					ff.Accounts = append(ff.Accounts, a)
				}
			}
		}
		out[i] = ff
	}
	return out, nil
}

// AccountLists lists viewer's lists that hold accountID, ascending by ID.
func (s *Service) AccountLists(ctx context.Context, viewer *store.Account, accountID int64) ([]*store.List, error) {
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	ls, err := s.store.GetListsByAccountAndMember(ctx, viewer.ID, accountID)
	if err != nil {
		return nil, internal("social.AccountLists", err)
	}
	return ls, nil
}
