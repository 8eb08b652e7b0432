package social

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// Search types, as GET /api/v2/search names them; "" searches all three.
const (
	SearchTypeAccounts = "accounts"
	SearchTypeHashtags = "hashtags"
	SearchTypeStatuses = "statuses"
)

// SearchInput is a search across accounts, hashtags and statuses.
type SearchInput struct {
	Query     string
	Type      string // SearchType… or "" for all
	Limit     int    // per type, > 0
	Offset    int    // per type, >= 0
	Following bool   // accounts and statuses: only accounts the viewer follows
	AccountID int64  // statuses: only this author's
	Resolve   bool   // WebFinger lookup: nothing to resolve (every account is local)
}

// maxQueryChars bounds a search query: no one types more, and each backend
// turns the query into a LIKE pattern (SQLite refuses patterns over 50,000
// bytes) or a full-text query.
const maxQueryChars = 500

// checkQuery refuses a query longer than maxQueryChars.
func checkQuery(op, q string) error {
	if utf8.RuneCountInString(q) > maxQueryChars {
		return invalid(op, fmt.Sprintf("Validation failed: q is too long (maximum is %d characters)", maxQueryChars))
	}
	return nil
}

// SearchResult holds what each type found.
type SearchResult struct {
	Accounts []*store.Account
	Tags     []*Tag
	Statuses []*store.Status
}

// Search answers GET /api/v2/search: accounts by username or display-name
// prefix (blocks hidden both ways), hashtags by prefix, statuses by words
// (only what viewer may see). As in Mastodon, anonymous viewers may neither
// page with an offset nor resolve, and status search needs a login (their
// statuses list stays empty); an unknown type finds nothing.
func (s *Service) Search(ctx context.Context, viewer *store.Account, in SearchInput) (*SearchResult, error) {
	const op = "social.Search"
	res := &SearchResult{Accounts: []*store.Account{}, Tags: []*Tag{}, Statuses: []*store.Status{}}
	if err := checkQuery(op, in.Query); err != nil {
		return nil, err
	}
	if viewer == nil && in.Offset > 0 {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "Search queries with offset are not supported without authentication"}
	}
	if viewer == nil && in.Resolve {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "Search queries that resolve remote resources are not supported without authentication"}
	}
	if strings.TrimSpace(in.Query) == "" {
		return res, nil
	}
	var err error
	if in.Type == "" || in.Type == SearchTypeAccounts {
		// Following means nothing without a viewer; Mastodon ignores it.
		ai := AccountSearchInput{Query: in.Query, Limit: in.Limit, Offset: in.Offset, Following: in.Following && viewer != nil}
		if res.Accounts, err = s.SearchAccounts(ctx, viewer, ai); err != nil {
			return nil, err
		}
	}
	if in.Type == "" || in.Type == SearchTypeHashtags {
		if res.Tags, err = s.SearchTags(ctx, in.Query, in.Limit, in.Offset); err != nil {
			return nil, err
		}
	}
	if viewer != nil && (in.Type == "" || in.Type == SearchTypeStatuses) {
		si := StatusSearchInput{Query: in.Query, Limit: in.Limit, Offset: in.Offset,
			AccountID: in.AccountID, Following: in.Following}
		sts, err := s.SearchStatuses(ctx, viewer, si)
		if err != nil {
			return nil, err
		}
		res.Statuses = append(res.Statuses, sts...)
	}
	return res, nil
}
