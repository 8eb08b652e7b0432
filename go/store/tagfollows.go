package store

import (
	"context"
	"time"
)

// TagFollow is an account following a hashtag: the public statuses that
// carry it reach the account's home timeline. Name is lower case, without
// '#'. Its ID orders GET /api/v1/followed_tags.
type TagFollow struct {
	ID        int64
	AccountID int64
	Name      string
	CreatedAt time.Time
}

// FeaturedTag is a hashtag an account features on its profile.
type FeaturedTag struct {
	ID        int64
	AccountID int64
	Name      string // lower case, without '#'
	CreatedAt time.Time
}

// TagUsage is how an account used one hashtag in its public and unlisted
// statuses (reblogs excluded): FeaturedTag's statuses_count and
// last_status_at.
type TagUsage struct {
	Name          string
	StatusesCount int64
	LastStatusAt  *time.Time // nil when never used
}

// TagFollows stores followed hashtags and answers the home timeline's
// question about them.
type TagFollows interface {
	// PutTagFollow inserts f unless f.AccountID already follows max tags,
	// in one transaction so concurrent follows cannot pass the limit
	// together: ErrLimit then; ErrConflict if the account already follows
	// the tag; ErrNotFound if the account does not exist.
	PutTagFollow(ctx context.Context, f *TagFollow, max int) error
	// DeleteTagFollow removes (account_id, name); ErrNotFound if none.
	DeleteTagFollow(ctx context.Context, accountID int64, name string) error
	// ListTagFollows lists accountID's followed tags inside page, newest
	// (highest tag_follows.id) first.
	ListTagFollows(ctx context.Context, accountID int64, page Page) ([]*TagFollow, error)
	// GetFollowedTagNames lists the names accountID follows, ascending.
	GetFollowedTagNames(ctx context.Context, accountID int64) ([]string, error)
	// GetTagFollowerIDs lists, ascending and without duplicates, the
	// accounts that follow any of names, at most limit.
	GetTagFollowerIDs(ctx context.Context, names []string, limit int) ([]int64, error)
	// ListPublicTaggedStatuses lists the public statuses that are not
	// reblogs and carry any of names (replies included, as Mastodon's
	// hashtag fan-out delivers them), newest first inside page.
	ListPublicTaggedStatuses(ctx context.Context, names []string, page Page) ([]*Status, error)
}

// FeaturedTags stores the hashtags accounts feature on their profiles.
type FeaturedTags interface {
	// PutFeaturedTag inserts t unless t.AccountID already features max
	// tags, in one transaction: ErrLimit then; ErrConflict if the account
	// already features the name; ErrNotFound if the account does not exist.
	PutFeaturedTag(ctx context.Context, t *FeaturedTag, max int) error
	// DeleteFeaturedTag removes accountID's featured tag id; ErrNotFound
	// if the account has no such featured tag.
	DeleteFeaturedTag(ctx context.Context, accountID, id int64) error
	// ListFeaturedTags lists accountID's featured tags, ascending by ID.
	ListFeaturedTags(ctx context.Context, accountID int64) ([]*FeaturedTag, error)
	// GetTagUsage counts, for each of names, accountID's public and
	// unlisted statuses (not reblogs) carrying it and the newest one's
	// created_at; one TagUsage per name, in the order of names.
	GetTagUsage(ctx context.Context, accountID int64, names []string) ([]TagUsage, error)
	// ListRecentlyUsedTags ranks the tags of accountID's newest recent
	// statuses (reblogs excluded) by how many of them carry each (most
	// first, then by name), skipping exclude; at most limit names.
	ListRecentlyUsedTags(ctx context.Context, accountID int64, recent int, exclude []string, limit int) ([]string, error)
}

// UsageInOrder returns one TagUsage per name, in the order of names, taking
// the counts from found (a backend's grouped rows) and zero for the rest.
func UsageInOrder(names []string, found []TagUsage) []TagUsage {
	byName := make(map[string]TagUsage, len(found))
	for _, u := range found {
		byName[u.Name] = u
	}
	out := make([]TagUsage, len(names))
	for i, n := range names {
		u, ok := byName[n]
		if !ok {
			u = TagUsage{Name: n}
		}
		out[i] = u
	}
	return out
}
