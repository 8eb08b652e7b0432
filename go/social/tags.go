package social

import (
	"context"
	"slices"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Tag is a hashtag with its history: one TagDay per UTC day of the last
// week, today first, as Mastodon's Tag entity has it.
type Tag struct {
	Name    string
	History []TagDay
	// Following says whether the viewer follows the tag; nil for an
	// anonymous viewer (Mastodon then leaves the field out).
	Following *bool
}

// TagDay is one UTC day of a hashtag's use in public statuses.
type TagDay struct {
	Day      time.Time // UTC midnight
	Uses     int64     // statuses carrying the tag
	Accounts int64     // their distinct authors
}

// GetTag returns the hashtag name (a leading '#' and case are ignored) with
// its history, and whether viewer (nil when anonymous) follows it. Like
// Mastodon, a well-formed name nobody has used yet is a tag with an empty
// history, not an error; a malformed one is not found.
func (s *Service) GetTag(ctx context.Context, viewer *store.Account, name string) (*Tag, error) {
	const op = "social.GetTag"
	tag := normalizeTag(name)
	if tag == "" {
		return nil, notFound(op, "Record not found")
	}
	tags, err := s.tagsWithHistory(ctx, op, viewer, []string{tag})
	if err != nil {
		return nil, err
	}
	return tags[0], nil
}

// SearchTags finds the hashtags used in public statuses that start with
// query (a leading '#' and case are ignored), ascending by name, with their
// history and whether viewer follows them; when the prefix finds fewer than
// limit on the first page, recent public hashtags near in meaning follow
// (tagmeaning.go). A query that cannot begin a hashtag finds nothing.
func (s *Service) SearchTags(ctx context.Context, viewer *store.Account, query string, limit, offset int) ([]*Tag, error) {
	const op = "social.SearchTags"
	if limit <= 0 || offset < 0 {
		return nil, invalid(op, "Validation failed: limit must be positive and offset not negative")
	}
	prefix := normalizeTag(query)
	if prefix == "" {
		return []*Tag{}, nil
	}
	names, err := s.store.SearchTags(ctx, prefix, limit, offset)
	if err != nil {
		return nil, internal(op, err)
	}
	// The semantic fallback fills the first page only: later pages page
	// through the prefix matches, as before.
	if s.tags != nil && offset == 0 && len(names) < limit {
		more, err := s.similarTags(ctx, prefix, limit-len(names), names)
		if err != nil {
			return nil, internal(op, err)
		}
		names = append(names, more...)
	}
	return s.tagsWithHistory(ctx, op, viewer, names)
}

// tagsWithHistory attaches the last tagHistoryDays UTC days of history to
// each of names, in one query, filling the days without a use with zeros,
// and, for a viewer, whether it follows each (one more query).
func (s *Service) tagsWithHistory(ctx context.Context, op string, viewer *store.Account, names []string) ([]*Tag, error) {
	out := make([]*Tag, len(names))
	if len(names) == 0 {
		return out, nil
	}
	const day = 24 * time.Hour
	today := s.nowUTC().Truncate(day) // UTC: Truncate counts from year 1, a UTC midnight
	oldest := today.Add(-(tagHistoryDays - 1) * day)
	rows, err := s.store.GetTagHistory(ctx, names, oldest, today.Add(day))
	if err != nil {
		return nil, internal(op, err)
	}
	byName := make(map[string]*Tag, len(names))
	for i, name := range names {
		t := &Tag{Name: name, History: make([]TagDay, tagHistoryDays)}
		for d := range t.History {
			t.History[d].Day = today.Add(-time.Duration(d) * day)
		}
		out[i], byName[name] = t, t
	}
	for _, r := range rows {
		t, ok := byName[r.Name]
		d := int(today.Sub(r.Day) / day)
		if !ok || d < 0 || d >= tagHistoryDays {
			continue
		}
		t.History[d].Uses, t.History[d].Accounts = r.Uses, r.Accounts
	}
	if viewer != nil {
		followed, err := s.store.GetFollowedTagNames(ctx, viewer.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		for _, t := range out {
			f := slices.Contains(followed, t.Name)
			t.Following = &f
		}
	}
	return out, nil
}
