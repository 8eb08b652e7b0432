package social

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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
}

// PostStatus validates, moderates and stores a status, then hands it to the
// indexer. A status a moderator rejects is never stored.
func (s *Service) PostStatus(ctx context.Context, author *store.Account, in StatusInput) (*store.Status, error) {
	const op = "social.PostStatus"
	vis, err := s.validateStatus(op, &in)
	if err != nil {
		return nil, err
	}
	if in.InReplyToID != 0 {
		if _, err := s.GetStatus(ctx, author, in.InReplyToID); err != nil {
			return nil, err
		}
	}
	if s.mod != nil {
		v, err := s.mod.CheckStatus(ctx, Draft{
			AccountID: author.ID, Username: author.Username, Text: in.Text,
			SpoilerText: in.SpoilerText, Visibility: vis, Language: in.Language,
		})
		if err != nil {
			return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Moderation is unavailable; try again later", Err: err}
		}
		if v.Reject {
			return nil, &Error{Op: op, Kind: KindInvalid, Safe: "Validation failed: " + v.Reason}
		}
		if v.Rewritten {
			in.Text, in.SpoilerText = v.Text, v.SpoilerText
		}
		in.Sensitive = in.Sensitive || v.Sensitive
	}
	st := &store.Status{
		ID: s.ids.Next(), AccountID: author.ID, InReplyToID: in.InReplyToID,
		Text: in.Text, Content: renderContent(in.Text), SpoilerText: in.SpoilerText,
		// A content warning implies sensitive, as Mastodon does.
		Sensitive:  in.Sensitive || in.SpoilerText != "",
		Visibility: vis, Language: in.Language, CreatedAt: s.nowUTC(),
	}
	if s.emb != nil {
		st.Embedding = s.emb.Embed(strings.TrimSpace(in.SpoilerText + "\n" + in.Text))
	}
	if err := s.store.PutStatus(ctx, st); err != nil {
		return nil, internal(op, err)
	}
	if s.index != nil {
		s.index.StatusCreated(ctx, st)
	}
	return st, nil
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
	return s.filterVisible(ctx, viewer, sts, readHome)
}

// maxSearchResults bounds offset+limit so a query cannot ask the index for
// an unbounded number of candidates.
const maxSearchResults = 200

// SearchStatuses finds statuses similar to query that viewer may see, best
// match first.
func (s *Service) SearchStatuses(ctx context.Context, viewer *store.Account, query string, limit, offset int) ([]*store.Status, error) {
	const op = "social.SearchStatuses"
	if s.srch == nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Search is not configured"}
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, invalid(op, "Validation failed: q can't be blank")
	}
	if offset+limit > maxSearchResults {
		return nil, invalid(op, fmt.Sprintf("Validation failed: offset + limit must be at most %d", maxSearchResults))
	}
	// Ask for more than needed: some candidates are filtered out below.
	ids, err := s.srch.SearchStatusIDs(ctx, query, 2*(offset+limit)+10)
	if err != nil {
		return nil, internal(op, err)
	}
	found, err := s.store.GetStatusesByIDs(ctx, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	byID := make(map[int64]*store.Status, len(found))
	for _, st := range found {
		byID[st.ID] = st
	}
	ranked := make([]*store.Status, 0, len(found))
	for _, id := range ids {
		if st, ok := byID[id]; ok {
			ranked = append(ranked, st)
		}
	}
	vis, err := s.filterVisible(ctx, viewer, ranked, readSearch)
	if err != nil {
		return nil, err
	}
	if offset >= len(vis) {
		return nil, nil
	}
	return vis[offset:min(offset+limit, len(vis))], nil
}
