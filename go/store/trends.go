package store

import (
	"context"
	"time"
	"unicode/utf8"
)

// TagUse is one row of the trending-tags scan: the statuses one account
// posted with one hashtag within one hour (UTC). Grouping by hour bounds the
// rows a prolific poster adds while keeping each use's age to the hour.
type TagUse struct {
	Name      string
	AccountID int64
	Uses      int64     // statuses in the group
	LastUsed  time.Time // created_at of the newest of them
}

// TagDay is one UTC day of a hashtag's history.
type TagDay struct {
	Name     string
	Day      time.Time // UTC midnight starting the day
	Uses     int64     // statuses carrying the tag
	Accounts int64     // distinct authors of those statuses
}

// StatusEngagement is a candidate of the trending-statuses scan.
type StatusEngagement struct {
	StatusID   int64
	AccountID  int64
	CreatedAt  time.Time
	Engagement int64 // favourites + reblogs + replies
}

// Trends answers the hashtag and trending queries. Only public statuses
// that are not reblogs count, the statuses the public and hashtag timelines
// show: a tag used only in unlisted, private or direct statuses stays
// unknown, so its existence does not leak. Windows are [since, until), so
// callers (and tests) choose "now"; the ranking itself (decay) is package
// social's.
type Trends interface {
	// ListTagUses groups the tags of public non-reblog statuses, by authors
	// neither suspended nor silenced (their hashtags do not trend), created in
	// [since, until) by (tag, author, hour of created_at), newest LastUsed
	// first (then tag, then account), at most limit rows.
	ListTagUses(ctx context.Context, since, until time.Time, limit int) ([]TagUse, error)
	// GetTagHistory counts, for each of names and each UTC day in [since,
	// until), the public non-reblog statuses carrying the tag and their
	// distinct authors; days without a use are absent. Ascending by name,
	// then day.
	GetTagHistory(ctx context.Context, names []string, since, until time.Time) ([]TagDay, error)
	// SearchTags lists the distinct tag names of public statuses that start
	// with prefix (compared byte-wise, so the caller lower-cases), ascending,
	// at most limit after skipping offset. It reads status_tags by name
	// range (see PrefixEnd), so it never scans the whole table.
	SearchTags(ctx context.Context, prefix string, limit, offset int) ([]string, error)
	// ListStatusEngagement lists the public non-reblog statuses created in
	// [since, until) that have at least one favourite, reblog or reply,
	// most engagement first, then newest (highest ID); at most limit.
	ListStatusEngagement(ctx context.Context, since, until time.Time, limit int) ([]StatusEngagement, error)
}

// PrefixEnd returns the least string greater than every string that starts
// with prefix, in code-point (UTF-8 byte) order: prefix with its last code
// point incremented, so "name >= prefix AND name < PrefixEnd(prefix)" is an
// index range. "" means no upper bound (an empty prefix, or one made only of
// U+10FFFF). Both backends compare tag names in that order (SQLite's BINARY
// collation, PostgreSQL's COLLATE "C").
func PrefixEnd(prefix string) string {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		rest := prefix[:len(prefix)-size]
		switch {
		case r == utf8.RuneError && size == 1:
			// Not UTF-8: increment the byte itself (0xFF carries).
			if b := prefix[len(prefix)-1]; b < 0xFF {
				return rest + string([]byte{b + 1})
			}
		case r == 0xD7FF:
			return rest + string(rune(0xE000)) // the surrogates are no code points
		case r != utf8.MaxRune:
			return rest + string(r+1)
		}
		prefix = rest // U+10FFFF (or 0xFF) carries into what precedes it
	}
	return ""
}
