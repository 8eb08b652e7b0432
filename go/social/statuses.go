package social

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// languagePattern accepts ISO 639-1/639-3 codes, optionally with a region.
var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// StatusInput is a status as the author submits it.
type StatusInput struct {
	Text        string
	InReplyToID int64
	Sensitive   bool
	SpoilerText string
	Visibility  string // "" means public
	Language    string
	// IdempotencyKey is the client's Idempotency-Key header: the same key
	// from the same account within IdempotencyWindow returns the status
	// the first request created instead of posting again.
	IdempotencyKey string
}

// IdempotencyWindow is how long an Idempotency-Key is remembered (Mastodon
// keeps them for an hour).
const IdempotencyWindow = time.Hour

// maxIdempotencyKey bounds the stored key.
const maxIdempotencyKey = 256

// PostStatus validates, moderates and stores a status with its mentions,
// tags and mention notifications in one transaction, then hands it to the
// indexer and publishes it. A status a moderator rejects is never stored.
func (s *Service) PostStatus(ctx context.Context, author *store.Account, in StatusInput) (*store.Status, error) {
	const op = "social.PostStatus"
	if len(in.IdempotencyKey) > maxIdempotencyKey {
		return nil, invalid(op, "Validation failed: Idempotency-Key is too long")
	}
	if st, ok, err := s.idempotentStatus(ctx, op, author, in.IdempotencyKey); ok || err != nil {
		return st, err
	}
	vis, err := s.validateStatus(op, &in)
	if err != nil {
		return nil, err
	}
	var parent *store.Status
	if in.InReplyToID != 0 {
		// The parent must be visible to the author: replying must not
		// reveal (or confirm) a status the author cannot see.
		if parent, err = s.GetStatus(ctx, author, in.InReplyToID); err != nil {
			return nil, err
		}
	}
	flags, err := s.moderateStatus(ctx, op, author, &in, vis, 0)
	if err != nil {
		return nil, err
	}
	parsed := parseText(in.Text, s.localDomain())
	mentioned, err := s.resolveMentions(ctx, parsed.usernames)
	if err != nil {
		return nil, internal(op, err)
	}
	now := s.nowUTC()
	st := &store.Status{
		ID: s.ids.Next(), AccountID: author.ID, InReplyToID: in.InReplyToID,
		Text: in.Text, SpoilerText: in.SpoilerText,
		Content: renderer{baseURL: s.cfg.BaseURL, domain: s.localDomain(), accounts: mentioned}.render(in.Text),
		// A content warning implies sensitive, as Mastodon does.
		Sensitive:  in.Sensitive || in.SpoilerText != "",
		Visibility: vis, Language: in.Language, CreatedAt: now,
	}
	if parent != nil {
		st.InReplyToAccountID = parent.AccountID
	}
	if s.emb != nil {
		st.Embedding = s.emb.Embed(strings.TrimSpace(in.SpoilerText + "\n" + in.Text))
	}
	w := &store.StatusWrite{Status: st, Tags: parsed.tags, Flags: s.statusFlags(flags),
		IdempotencyKey: in.IdempotencyKey, IdempotencySince: now.Add(-IdempotencyWindow)}
	for _, a := range mentioned {
		w.Mentions = append(w.Mentions, a.ID)
		if a.ID != author.ID { // never notify yourself
			w.Notifications = append(w.Notifications, s.newNotification(a.ID, author.ID, store.NotificationMention, st.ID))
		}
	}
	if err := s.store.PutStatusWrite(ctx, w); err != nil {
		if in.IdempotencyKey != "" && errors.Is(err, store.ErrConflict) {
			// A concurrent request with the same key won the race: answer
			// with its status, exactly as a later retry would get.
			if st, ok, err := s.idempotentStatus(ctx, op, author, in.IdempotencyKey); ok || err != nil {
				return st, err
			}
		}
		return nil, internal(op, err)
	}
	if s.index != nil {
		s.index.StatusCreated(ctx, st)
	}
	s.publishStatus(ctx, st, w.Tags, w.Mentions)
	s.publishNotifications(ctx, w.Notifications)
	return st, nil
}

// idempotentStatus returns the status an earlier request with key created,
// if the key is live and the status still exists.
func (s *Service) idempotentStatus(ctx context.Context, op string, author *store.Account, key string) (*store.Status, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	id, err := s.store.GetIdempotentStatusID(ctx, author.ID, key, s.nowUTC().Add(-IdempotencyWindow))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, internal(op, err)
	}
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil // deleted since: the key died with it
	}
	if err != nil {
		return nil, false, internal(op, err)
	}
	return st, true, nil
}

// localDomain is the host of BaseURL: @user@thisdomain is a local mention.
func (s *Service) localDomain() string {
	u, err := url.Parse(s.cfg.BaseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func (s *Service) validateStatus(op string, in *StatusInput) (store.Visibility, error) {
	if strings.TrimSpace(in.Text) == "" {
		return "", invalid(op, "Validation failed: Text can't be blank")
	}
	if !utf8.ValidString(in.Text) || !utf8.ValidString(in.SpoilerText) {
		return "", invalid(op, "Validation failed: Text must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(in.Text) + utf8.RuneCountInString(in.SpoilerText); n > s.cfg.MaxStatusChars {
		return "", invalid(op, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.cfg.MaxStatusChars))
	}
	vis := store.Visibility(in.Visibility)
	switch vis {
	case "":
		vis = store.VisibilityPublic
	case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect:
	default:
		return "", invalid(op, "Validation failed: Visibility is not included in the list")
	}
	if in.Language != "" && !languagePattern.MatchString(in.Language) {
		return "", invalid(op, "Validation failed: Language is not a valid ISO 639 code")
	}
	return vis, nil
}

// HomeTimeline returns the viewer's home timeline page, newest first.
func (s *Service) HomeTimeline(ctx context.Context, viewer *store.Account, page store.Page) ([]*store.Status, error) {
	const op = "social.HomeTimeline"
	if s.home == nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Home timelines are not configured"}
	}
	sts, err := s.home.Home(ctx, viewer.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	// The feed selects by the same rules; filtering again here keeps a
	// stale cache (push strategies) from ever showing a hidden status.
	return s.filterTimeline(ctx, viewer, sts, readHome)
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
	if in.Limit <= 0 || in.Offset < 0 || in.Offset+in.Limit > maxSearchResults {
		return nil, invalid(op, fmt.Sprintf("Validation failed: offset + limit must be at most %d", maxSearchResults))
	}
	if in.Following && viewer == nil {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "The access token is invalid"}
	}
	// BEGIN full-text fusion (OAuth/instance/search engineer): both rankings,
	// fused in search_fusion.go. Ask each for more than needed: some
	// candidates are filtered out below, many more when only some authors
	// count.
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
	// END full-text fusion.
	ranked, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	if ranked, err = s.keepAuthors(ctx, op, viewer, in, ranked); err != nil {
		return nil, err
	}
	vis, err := s.filterVisible(ctx, viewer, ranked, readSearch)
	if err != nil {
		return nil, err
	}
	if vis, err = s.rankStatuses(ctx, op, viewer, "search", query, vis); err != nil {
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
