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
	// SourceSimilar: accounts whose statuses the recommender predicts the
	// viewer will like (interests like the viewer's, learned from what
	// accounts favourite and boost). Mastodon's nearest value.
	SourceSimilar = "similar_to_recently_followed"
)

// Suggestion is an account suggested to follow, with why.
type Suggestion struct {
	Account *store.Account
	Sources []string // SourceFriendsOfFriends or SourceMostFollowed
}

// Suggestions returns up to limit accounts viewer might follow: first the
// accounts most followed by the accounts viewer follows, then accounts
// with similar interests (the authors of what the recommender predicts
// viewer will like), then the most followed discoverable accounts. Never viewer itself, an account viewer
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
		similar, err := s.similarAuthors(ctx, viewer, exclude, limit-len(ids))
		if err != nil {
			return nil, err
		}
		for _, id := range similar {
			ids = append(ids, id)
			sources[id] = SourceSimilar
			exclude = append(exclude, id)
		}
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
		if a, ok := byID[id]; ok && !accountHidden(a) {
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

// similarAuthors returns up to limit authors, best first, of the statuses
// the recommender ranks highest for viewer among those viewer may see,
// none in exclude. Without a recommender (or history) there are none.
func (s *Service) similarAuthors(ctx context.Context, viewer *store.Account, exclude []int64, limit int) ([]int64, error) {
	const op = "social.similarAuthors"
	if s.recs == nil {
		return nil, nil
	}
	hist, err := s.forYouHistory(ctx, viewer)
	if err != nil {
		return nil, internal(op, err)
	}
	histIDs := make([]int64, len(hist))
	for i, st := range hist {
		histIDs[i] = st.ID
	}
	recs := s.recs.Recommend(histIDs, forYouLength, nil)
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.Item
	}
	sts, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	if sts, err = s.filterVisible(ctx, viewer, sts, readSearch); err != nil {
		return nil, err
	}
	skip := idSet(exclude)
	var out []int64
	for _, st := range sts {
		if len(out) == limit {
			break
		}
		if !skip[st.AccountID] {
			skip[st.AccountID] = true
			out = append(out, st.AccountID)
		}
	}
	return out, nil
}
