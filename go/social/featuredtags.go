package social

import (
	"context"
	"errors"
	"time"

	"github.com/starling-social/starling/go/store"
)

// MaxFeaturedTags is how many hashtags an account may feature, Mastodon's
// limit (reported as accounts.max_featured_tags).
const MaxFeaturedTags = 10

// Suggestions come from the account's newest statuses and are a handful,
// as Mastodon's.
const (
	featuredTagSuggestionStatuses = 1000
	featuredTagSuggestions        = 10
)

// FeaturedTag is a hashtag featured on a profile, with the owner's use of
// it in public and unlisted statuses.
type FeaturedTag struct {
	ID            int64
	AccountID     int64
	Name          string
	StatusesCount int64
	LastStatusAt  *time.Time
}

// FeaturedTags returns accountID's account and its featured tags, oldest
// first, with their use. Anyone may see them (they are on the profile); an
// unknown account is not found.
func (s *Service) FeaturedTags(ctx context.Context, accountID int64) (*store.Account, []*FeaturedTag, error) {
	const op = "social.FeaturedTags"
	owner, err := s.GetAccount(ctx, accountID)
	if err != nil {
		return nil, nil, err
	}
	fts, err := s.store.ListFeaturedTags(ctx, accountID)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	out, err := s.featuredTagUsage(ctx, op, accountID, fts)
	return owner, out, err
}

// featuredTagUsage attaches the owner's use to each featured tag (one query).
func (s *Service) featuredTagUsage(ctx context.Context, op string, accountID int64, fts []*store.FeaturedTag) ([]*FeaturedTag, error) {
	out := make([]*FeaturedTag, len(fts))
	if len(fts) == 0 {
		return out, nil
	}
	names := make([]string, len(fts))
	for i, ft := range fts {
		names[i] = ft.Name
	}
	usage, err := s.store.GetTagUsage(ctx, accountID, names)
	if err != nil {
		return nil, internal(op, err)
	}
	for i, ft := range fts {
		out[i] = &FeaturedTag{ID: ft.ID, AccountID: ft.AccountID, Name: ft.Name,
			StatusesCount: usage[i].StatusesCount, LastStatusAt: usage[i].LastStatusAt}
	}
	return out, nil
}

// FeatureTag features the hashtag name on viewer's profile. Featuring it
// again returns the featured tag, as Mastodon does; a malformed name, or
// an eleventh tag, is refused.
func (s *Service) FeatureTag(ctx context.Context, viewer *store.Account, name string) (*FeaturedTag, error) {
	const op = "social.FeatureTag"
	tag := normalizeTag(name)
	if tag == "" {
		return nil, invalid(op, "Validation failed: Name is not a valid hashtag")
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	ft := &store.FeaturedTag{ID: id, AccountID: viewer.ID, Name: tag, CreatedAt: s.nowUTC()}
	switch err := s.store.PutFeaturedTag(ctx, ft, MaxFeaturedTags); {
	case err == nil, errors.Is(err, store.ErrConflict):
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, "Validation failed: You have already featured the maximum number of hashtags")
	default:
		return nil, internal(op, err)
	}
	fts, err := s.store.ListFeaturedTags(ctx, viewer.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	for _, f := range fts {
		if f.Name == tag {
			out, err := s.featuredTagUsage(ctx, op, viewer.ID, []*store.FeaturedTag{f})
			if err != nil {
				return nil, err
			}
			return out[0], nil
		}
	}
	return nil, notFound(op, "Record not found") // unfeatured meanwhile
}

// UnfeatureTag removes one of viewer's featured tags by its ID; someone
// else's, or none, is not found.
func (s *Service) UnfeatureTag(ctx context.Context, viewer *store.Account, id int64) error {
	return removed("social.UnfeatureTag", s.store.DeleteFeaturedTag(ctx, viewer.ID, id))
}

// FeaturedTagSuggestions lists the hashtags viewer used most in its newest
// statuses that it does not feature yet, with their history.
func (s *Service) FeaturedTagSuggestions(ctx context.Context, viewer *store.Account) ([]*Tag, error) {
	const op = "social.FeaturedTagSuggestions"
	fts, err := s.store.ListFeaturedTags(ctx, viewer.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	featured := make([]string, len(fts))
	for i, ft := range fts {
		featured[i] = ft.Name
	}
	names, err := s.store.ListRecentlyUsedTags(ctx, viewer.ID, featuredTagSuggestionStatuses, featured, featuredTagSuggestions)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.tagsWithHistory(ctx, op, viewer, names)
}
