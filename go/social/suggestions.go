package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// Suggestion sources, as Mastodon names them (Suggestion entity, 4.3+).
const (
	SourceFriendsOfFriends = "friends_of_friends"
	SourceMostFollowed     = "most_followed"
)

// Suggestion is an account suggested to follow, with why.
type Suggestion struct {
	Account *store.Account
	Sources []string // SourceFriendsOfFriends or SourceMostFollowed
}

// Suggestions returns up to limit accounts viewer might follow: first the
// accounts most followed by the accounts viewer follows, then the most
// followed discoverable accounts. Never viewer itself, an account viewer
// follows, has asked to follow, blocks, is blocked by, mutes, or dismissed.
func (s *Service) Suggestions(ctx context.Context, viewer *store.Account, limit int) ([]*Suggestion, error) {
	const op = "social.Suggestions"
	if limit <= 0 {
		return nil, invalid(op, "Validation failed: limit must be positive")
	}
	exclude, err := s.suggestionExclusions(ctx, viewer)
	if err != nil {
		return nil, internal(op, err)
	}
	fof, err := s.store.ListFriendsOfFriends(ctx, viewer.ID, exclude, limit)
	if err != nil {
		return nil, internal(op, err)
	}
	ids := make([]int64, 0, limit)
	sources := make(map[int64]string, limit)
	for _, c := range fof {
		ids = append(ids, c.AccountID)
		sources[c.AccountID] = SourceFriendsOfFriends
		exclude = append(exclude, c.AccountID)
	}
	if len(ids) < limit {
		most, err := s.store.ListMostFollowed(ctx, exclude, limit-len(ids))
		if err != nil {
			return nil, internal(op, err)
		}
		for _, c := range most {
			ids = append(ids, c.AccountID)
			sources[c.AccountID] = SourceMostFollowed
		}
	}
	byID, err := s.AccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Suggestion, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, &Suggestion{Account: a, Sources: []string{sources[id]}})
		}
	}
	return out, nil
}

// suggestionExclusions lists every account never to suggest to viewer.
func (s *Service) suggestionExclusions(ctx context.Context, viewer *store.Account) ([]int64, error) {
	exclude := []int64{viewer.ID}
	following, err := s.store.GetFollowingIDs(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	blocked, err := s.store.GetBlockedAndBlockingIDs(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	muted, err := s.store.GetMutedIDs(ctx, viewer.ID, s.nowUTC())
	if err != nil {
		return nil, err
	}
	dismissed, err := s.store.GetDismissedSuggestionIDs(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range [][]int64{following, blocked, muted, dismissed} {
		exclude = append(exclude, l...)
	}
	return exclude, nil
}

// DismissSuggestion stops suggesting accountID to viewer. Dismissing again,
// or an account never suggested, is not an error.
func (s *Service) DismissSuggestion(ctx context.Context, viewer *store.Account, accountID int64) error {
	const op = "social.DismissSuggestion"
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return err
	}
	if err := s.store.PutSuggestionDismissal(ctx, viewer.ID, accountID, s.nowUTC()); err != nil && !errors.Is(err, store.ErrConflict) {
		return internal(op, err)
	}
	return nil
}
