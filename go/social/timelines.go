package social

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// reblogOriginals loads the originals of the reblogs among sts, by ID.
func (s *Service) reblogOriginals(ctx context.Context, sts []*store.Status) (map[int64]*store.Status, error) {
	var ids []int64
	for _, st := range sts {
		if st.ReblogOfID != 0 {
			ids = append(ids, st.ReblogOfID)
		}
	}
	out := make(map[int64]*store.Status, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	found, err := s.store.GetStatusesByIDs(ctx, ids)
	if err != nil {
		return nil, internal("social.reblogOriginals", err)
	}
	for _, o := range found {
		out[o.ID] = o
	}
	return out, nil
}

// PublicFilter selects the public timeline. Every account is local, so
// Local changes nothing and Remote leaves nothing; OnlyMedia keeps the
// statuses with media attachments.
type PublicFilter struct {
	Local     bool
	Remote    bool
	OnlyMedia bool
}

func (f PublicFilter) empty() bool { return f.Remote }

// PublicTimeline returns the public (and, with Local, the local) timeline:
// public statuses that are not reblogs or replies to others, newest first.
func (s *Service) PublicTimeline(ctx context.Context, viewer *store.Account, f PublicFilter, page store.Page) ([]*store.Status, error) {
	if f.empty() {
		return nil, nil
	}
	return s.publicStatuses(ctx, "social.PublicTimeline", viewer, store.PublicQuery{OnlyMedia: f.OnlyMedia, Page: page})
}

// TagQuery is a hashtag timeline request: the tag, plus Mastodon's any[],
// all[] and none[] refinements.
type TagQuery struct {
	Tag  string
	Any  []string
	All  []string
	None []string
	PublicFilter
}

// TagTimeline returns the public statuses carrying q.Tag (or any of q.Any),
// all of q.All and none of q.None; tags compare case-insensitively.
func (s *Service) TagTimeline(ctx context.Context, viewer *store.Account, q TagQuery, page store.Page) ([]*store.Status, error) {
	const op = "social.TagTimeline"
	tag := normalizeTag(q.Tag)
	if tag == "" {
		return nil, notFound(op, "Record not found")
	}
	if q.empty() {
		return nil, nil
	}
	pq := store.PublicQuery{OnlyMedia: q.OnlyMedia, AnyTags: append([]string{tag}, normalizeTags(q.Any)...),
		AllTags: normalizeTags(q.All), NoneTags: normalizeTags(q.None), Page: page}
	return s.publicStatuses(ctx, op, viewer, pq)
}

func (s *Service) publicStatuses(ctx context.Context, op string, viewer *store.Account, q store.PublicQuery) ([]*store.Status, error) {
	sts, err := s.store.ListPublicStatuses(ctx, q)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.filterVisible(ctx, viewer, sts, readPublic)
}

// maxTagChars bounds a tag name a client may name (follow, feature, look
// up), so a name cannot be made a store key of any size.
const maxTagChars = 256

// normalizeTag strips a leading '#' and lower-cases; "" if nothing is left
// or the name could not be a tag.
// normalizeTag returns t as a tag name (lower case, no "#"), or "" when t
// as a whole is not one: "not-a-tag" is not the tag "not".
func normalizeTag(t string) string {
	t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#"))
	if utf8.RuneCountInString(t) > maxTagChars {
		return ""
	}
	if m := hashtagPattern.FindStringSubmatch(" #" + t); t == "" || m == nil || m[2] != t {
		return ""
	}
	return t
}

func normalizeTags(ts []string) []string {
	var out []string
	for _, t := range ts {
		if n := normalizeTag(t); n != "" && len(out) < maxTags {
			out = append(out, n)
		}
	}
	return out
}

// ListTimeline returns the statuses of the list's members, newest first,
// as the list's owner sees them at home.
func (s *Service) ListTimeline(ctx context.Context, viewer *store.Account, listID int64, page store.Page) ([]*store.Status, error) {
	const op = "social.ListTimeline"
	if s.home == nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Home timelines are not configured"}
	}
	l, err := s.ownList(ctx, op, viewer, listID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ListListAccountIDs(ctx, l.ID, store.Page{Limit: maxListMembers})
	if err != nil {
		return nil, internal(op, err)
	}
	sts, err := s.home.List(ctx, l.ID, members, page)
	if err != nil {
		return nil, internal(op, err)
	}
	if sts, err = s.filterListReplies(ctx, l, members, sts); err != nil {
		return nil, internal(op, err)
	}
	return s.filterVisible(ctx, viewer, sts, readHome)
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
