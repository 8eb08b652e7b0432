package social

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Trends rank by recent activity with exponential decay: a use or an
// interaction counts 2^(−age/trendHalfLife), so one a half-life old counts
// half as much as one now, and the ranking follows what is happening rather
// than what has piled up.
//
// Tags: score(tag) = Σ over accounts a of log2(1 + Σ over a's uses u of
// decay(now − t_u)), over public uses in the last tagTrendWindow. One fresh
// use adds 1; one account's repeated uses add logarithmically (3 fresh uses
// add 2, 7 add 3), so ten people using a tag outrank one person posting it
// ten times. Uses are grouped by hour in the store, so t_u is the newest
// use of its hour (an error of at most an hour of decay, about 3%).
//
// Statuses: score(status) = (favourites + reblogs + replies) ·
// decay(now − created_at), over public originals of the last
// statusTrendWindow.
const (
	trendHalfLife     = 24 * time.Hour
	tagTrendWindow    = 7 * 24 * time.Hour // Mastodon's "past week"
	statusTrendWindow = 3 * 24 * time.Hour
	tagHistoryDays    = 7
	// Scan bounds: beyond them the oldest tag uses (which decay most) and
	// the least engaged statuses are left out, so one request's work is
	// bounded however busy the instance.
	maxTagUseRows      = 20000
	maxTrendCandidates = 5000
	// trendsTTL is how long one computation of the rankings is served.
	// Trends move over hours (trendHalfLife), so a minute-old ranking is
	// as good as a fresh one, and anonymous callers can no longer make the
	// server rescan the window on every request.
	trendsTTL = time.Minute
)

// trendCaches hold the rankings, computed at most once per trendsTTL for
// all callers; pages, and each viewer's blocks and mutes, are applied to
// them per request.
type trendCaches struct {
	tags     cached[[]string]                 // tag names, best first
	statuses cached[[]store.StatusEngagement] // candidates, best first
}

// decay is 2^(−age/halfLife): 1 now, ½ one half-life ago. A future time
// (clock skew) counts as now rather than more than fully.
func decay(age, halfLife time.Duration) float64 {
	if age <= 0 {
		return 1
	}
	return math.Exp2(-float64(age) / float64(halfLife))
}

// tagScores applies the tag formula above to the store's grouped uses.
func tagScores(uses []store.TagUse, now time.Time) map[string]float64 {
	type key struct {
		name    string
		account int64
	}
	perAccount := map[key]float64{}
	for _, u := range uses {
		perAccount[key{u.Name, u.AccountID}] += float64(u.Uses) * decay(now.Sub(u.LastUsed), trendHalfLife)
	}
	scores := map[string]float64{}
	for k, w := range perAccount {
		scores[k.name] += math.Log2(1 + w)
	}
	return scores
}

// statusScore applies the status formula above.
func statusScore(e store.StatusEngagement, now time.Time) float64 {
	return float64(e.Engagement) * decay(now.Sub(e.CreatedAt), trendHalfLife)
}

// TrendingTags ranks the hashtags of recent public statuses by the decayed
// score above, best first (ties by name), and returns the page after
// offset, each with its history and whether viewer follows it. The
// ranking is shared and at most trendsTTL old.
func (s *Service) TrendingTags(ctx context.Context, viewer *store.Account, limit, offset int) ([]*Tag, error) {
	const op = "social.TrendingTags"
	if limit <= 0 || offset < 0 {
		return nil, invalid(op, "Validation failed: limit must be positive and offset not negative")
	}
	names, err := s.trends.tags.get(ctx, s.now(), trendsTTL, s.rankTags)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.tagsWithHistory(ctx, op, viewer, page(names, limit, offset))
}

// rankTags computes the tag ranking: every tag used in the window, best
// first (ties by name).
func (s *Service) rankTags(ctx context.Context) ([]string, error) {
	now := s.nowUTC()
	uses, err := s.store.ListTagUses(ctx, now.Add(-tagTrendWindow), now, maxTagUseRows)
	if err != nil {
		return nil, err
	}
	scores := tagScores(uses, now)
	names := make([]string, 0, len(scores))
	for name := range scores {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return names, nil
}

// TrendingStatuses ranks recent public statuses by decayed engagement, best
// first (ties: newer first), and returns the page after offset among those
// viewer (nil when anonymous) may see: blocked authors are hidden both ways
// and, as in Mastodon's trends, muted authors too. The ranking is shared
// and at most trendsTTL old; the viewer's filters apply per request.
func (s *Service) TrendingStatuses(ctx context.Context, viewer *store.Account, limit, offset int) ([]*store.Status, error) {
	const op = "social.TrendingStatuses"
	if limit <= 0 || offset < 0 {
		return nil, invalid(op, "Validation failed: limit must be positive and offset not negative")
	}
	cands, err := s.trends.statuses.get(ctx, s.now(), trendsTTL, s.rankStatuses)
	if err != nil {
		return nil, internal(op, err)
	}
	// Moderated authors, blocks and mutes are known per author, so they are
	// dropped before any status is loaded and the page below is exact.
	if cands, err = s.dropHiddenAuthors(ctx, viewer, cands); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, limit)
	for _, c := range page(cands, limit, offset) {
		ids = append(ids, c.StatusID)
	}
	sts, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	// The visibility rule still has the last word (every candidate is
	// public, so only a block written since the check above can drop one).
	return s.filterVisible(ctx, viewer, sts, readTrends)
}

// rankStatuses computes the status ranking: the window's candidates, best
// first (ties: newer first).
func (s *Service) rankStatuses(ctx context.Context) ([]store.StatusEngagement, error) {
	now := s.nowUTC()
	cands, err := s.store.ListStatusEngagement(ctx, now.Add(-statusTrendWindow), now, maxTrendCandidates)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cands, func(a, b store.StatusEngagement) int {
		if c := cmp.Compare(statusScore(b, now), statusScore(a, now)); c != 0 {
			return c
		}
		return cmp.Compare(b.StatusID, a.StatusID)
	})
	return cands, nil
}

// dropHiddenAuthors returns the candidates not by accounts viewer (nil
// when anonymous) blocks, is blocked by or mutes, nor by suspended or
// silenced accounts, in a new slice: cands is the shared ranking.
func (s *Service) dropHiddenAuthors(ctx context.Context, viewer *store.Account, cands []store.StatusEngagement) ([]store.StatusEngagement, error) {
	vc := &viewerContext{}
	if viewer != nil {
		vc.id = viewer.ID
	}
	if err := s.loadRelations(ctx, vc); err != nil {
		return nil, err
	}
	out := make([]store.StatusEngagement, 0, len(cands))
	for _, c := range cands {
		if !authorHidden(vc, c.AccountID, readTrends) {
			out = append(out, c)
		}
	}
	return out, nil
}

// page returns xs[offset : offset+limit], clipped to xs.
func page[T any](xs []T, limit, offset int) []T {
	if offset >= len(xs) {
		return nil
	}
	return xs[offset:min(offset+limit, len(xs))]
}
