package social

import (
	"context"
	"fmt"
	"slices"
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
		if res.Tags, err = s.SearchTags(ctx, viewer, in.Query, in.Limit, in.Offset); err != nil {
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

// maxSearchResults bounds offset+limit so a query cannot ask the index for
// an unbounded number of candidates.
const maxSearchResults = 200

// StatusSearchInput is a status search: the words, the page, and
// Mastodon's author filters.
type StatusSearchInput struct {
	Query     string
	Limit     int   // > 0
	Offset    int   // >= 0; Offset+Limit at most maxSearchResults
	AccountID int64 // nonzero: only this account's statuses
	Following bool  // only statuses by accounts the viewer follows
}

// filteredSearchCandidates bounds how many candidates a search with an
// author filter asks each ranking for: the rankings cannot filter, so a
// filtered search over-fetches, up to this many.
const filteredSearchCandidates = 1000

// SearchStatuses finds statuses that viewer may see, best match first: the
// full-text matches (every word) fused with the vector index's nearest
// (meaning), by reciprocal rank. Without a vector searcher, full text alone.
func (s *Service) SearchStatuses(ctx context.Context, viewer *store.Account, in StatusSearchInput) ([]*store.Status, error) {
	const op = "social.SearchStatuses"
	query := strings.TrimSpace(in.Query)
	if query == "" {
		return nil, invalid(op, "Validation failed: q can't be blank")
	}
	// Written so that a huge offset cannot overflow past the bound.
	if in.Limit <= 0 || in.Offset < 0 || in.Limit > maxSearchResults || in.Offset > maxSearchResults-in.Limit {
		return nil, invalid(op, fmt.Sprintf("Validation failed: offset + limit must be at most %d", maxSearchResults))
	}
	if in.Following && viewer == nil {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "The access token is invalid"}
	}
	// Both rankings are fused in search_fusion.go. Ask each for more than
	// needed: some candidates are filtered out below, many more when only
	// some authors count.
	k := 2*(in.Offset+in.Limit) + 10
	if in.AccountID != 0 || in.Following {
		k = min(10*(in.Offset+in.Limit)+50, filteredSearchCandidates)
	}
	textIDs, err := s.store.SearchStatusIDsByText(ctx, query, k)
	if err != nil {
		return nil, internal(op, err)
	}
	var vectorIDs []int64
	if s.srch != nil {
		if vectorIDs, err = s.srch.SearchStatusIDs(ctx, query, k); err != nil {
			return nil, internal(op, err)
		}
	}
	ids := fuseRanks(textIDs, vectorIDs)
	ranked, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	s.forgetDeleted(ctx, vectorIDs, ranked)
	if ranked, err = s.keepAuthors(ctx, op, viewer, in, ranked); err != nil {
		return nil, err
	}
	vis, err := s.filterVisible(ctx, viewer, ranked, readSearch)
	if err != nil {
		return nil, err
	}
	if vis, err = s.rankByRanker(ctx, op, viewer, "search", query, vis); err != nil {
		return nil, err
	}
	return page(vis, in.Limit, in.Offset), nil
}

// keepAuthors applies the account_id and following filters of in.
func (s *Service) keepAuthors(ctx context.Context, op string, viewer *store.Account, in StatusSearchInput, sts []*store.Status) ([]*store.Status, error) {
	if in.AccountID != 0 {
		sts = slices.DeleteFunc(sts, func(st *store.Status) bool { return st.AccountID != in.AccountID })
	}
	if in.Following && len(sts) > 0 {
		ids, err := s.store.GetFollowingIDs(ctx, viewer.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		following := idSet(ids)
		sts = slices.DeleteFunc(sts, func(st *store.Status) bool { return !following[st.AccountID] })
	}
	return sts, nil
}

// forgetDeleted removes from the index the candidates it returned that no
// longer load: statuses another server process deleted (this process
// removes its own deletions at once).
func (s *Service) forgetDeleted(ctx context.Context, candidates []int64, loaded []*store.Status) {
	if s.index == nil || len(candidates) == 0 {
		return
	}
	live := make(map[int64]bool, len(loaded))
	for _, st := range loaded {
		live[st.ID] = true
	}
	var gone []int64
	for _, id := range candidates {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		s.index.StatusesDeleted(ctx, gone)
	}
}
