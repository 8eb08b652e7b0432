package social

import (
	"context"
	"sync"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/store"
)

// For-you bounds. One ranking costs a handful of queries and one pass over
// the recommender's items, so it is computed at most once per forYouTTL
// per viewer and paged from the cache; the cache holds at most
// maxForYouViewers rankings of at most forYouLength IDs.
const (
	forYouLength     = 200 // statuses in one viewer's ranking
	forYouPerAuthor  = 3   // default Config.ForYouPerAuthor
	forYouHistory    = 40  // favourites and own statuses that describe the viewer
	forYouTTL        = 2 * time.Minute
	maxForYouViewers = 10000
)

// forYouCache holds each viewer's ranking (status IDs, best first).
type forYouCache struct {
	mu sync.Mutex
	m  map[int64]forYouEntry
}

type forYouEntry struct {
	ids []int64
	at  time.Time
}

func (c *forYouCache) get(viewerID int64, now time.Time) ([]int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[viewerID]
	if !ok || now.Sub(e.at) >= forYouTTL {
		return nil, false
	}
	return e.ids, true
}

func (c *forYouCache) put(viewerID int64, ids []int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]forYouEntry{}
	}
	if len(c.m) >= maxForYouViewers {
		for id, e := range c.m {
			if now.Sub(e.at) >= forYouTTL || len(c.m) >= maxForYouViewers {
				delete(c.m, id)
			}
		}
	}
	c.m[viewerID] = forYouEntry{ids: ids, at: now}
}

// ForYou answers GET /api/v1/timelines/for_you and the virtual For-you
// list: statuses recommended to viewer, best first. page.MaxID continues
// after that status of the ranking (the Link header's next page); a
// ranking has nothing "newer", so MinID and SinceID give an empty page.
//
// Never the viewer's own statuses, nor ones it favourited or boosted, nor
// any the one visibility rule hides on this path (blocks both ways,
// mutes, private statuses of accounts it does not follow).
func (s *Service) ForYou(ctx context.Context, viewer *store.Account, pg store.Page) ([]*store.Status, error) {
	const op = "social.ForYou"
	if pg.Limit <= 0 {
		return nil, invalid(op, "Validation failed: limit must be positive")
	}
	if pg.MinID != 0 || pg.SinceID != 0 {
		return []*store.Status{}, nil
	}
	now := s.now()
	ids, ok := s.forYou.get(viewer.ID, now)
	if !ok {
		var err error
		if ids, err = s.rankForYou(ctx, op, viewer); err != nil {
			return nil, err
		}
		s.forYou.put(viewer.ID, ids, now)
	}
	start := 0
	if pg.MaxID != 0 {
		start = len(ids) // an unknown cursor (an expired ranking) ends the list
		for i, id := range ids {
			if id == pg.MaxID {
				start = i + 1
				break
			}
		}
	}
	sts, err := s.statusesInOrder(ctx, op, page(ids, pg.Limit, start))
	if err != nil {
		return nil, err
	}
	// The rules have the last word on every page: a favourite, block or
	// deletion since the ranking was computed hides the status now.
	if sts, err = s.dropInteracted(ctx, viewer, sts); err != nil {
		return nil, internal(op, err)
	}
	return s.filterVisible(ctx, viewer, sts, readForYou)
}

// rankForYou computes viewer's ranking: candidates from the collaborative
// model, the vector index (the viewer's interests), the network (home)
// and what is popular, ranked by recommend.ForYou (the ranking the
// relevance bench measures) or ordered by the ranker
// plugin, filtered, at most forYouPerAuthor per author.
func (s *Service) rankForYou(ctx context.Context, op string, viewer *store.Account) ([]int64, error) {
	hist, err := s.forYouHistory(ctx, viewer)
	if err != nil {
		return nil, internal(op, err)
	}
	histIDs := make([]int64, 0, len(hist))
	for _, st := range hist {
		histIDs = append(histIDs, st.ID)
	}
	v := recommend.Viewer{History: histIDs}
	if v.Content, err = s.forYouContent(ctx, hist); err != nil {
		return nil, internal(op, err)
	}
	if s.home != nil {
		home, err := s.home.Home(ctx, viewer.ID, store.Page{Limit: forYouHistory})
		if err != nil {
			return nil, internal(op, err)
		}
		for _, st := range home {
			if st.AccountID == viewer.ID {
				continue
			}
			id := st.ID
			if st.ReblogOfID != 0 {
				id = st.ReblogOfID
			}
			v.Network = append(v.Network, id)
		}
	}
	trending, err := s.trends.statuses.get(ctx, s.now(), trendsTTL, s.rankStatuses)
	if err != nil {
		return nil, internal(op, err)
	}
	for _, t := range page(trending, forYouLength/4, 0) {
		v.Trending = append(v.Trending, t.StatusID)
	}
	var ranked []int64
	if s.recs != nil {
		ranked = s.recs.ForYou(v, forYouLength)
	} else {
		ranked = recommend.ForYou(nil, v, forYouLength, recommend.DefaultWeights)
	}
	sts, err := s.statusesInOrder(ctx, op, ranked)
	if err != nil {
		return nil, err
	}
	if sts, err = s.dropInteracted(ctx, viewer, sts); err != nil {
		return nil, internal(op, err)
	}
	if sts, err = s.filterVisible(ctx, viewer, sts, readForYou); err != nil {
		return nil, err
	}
	sts = spreadAuthors(sts, s.cfg.ForYouPerAuthor, forYouLength)
	if sts, err = s.rankByRanker(ctx, op, viewer, "for_you", "", sts); err != nil {
		return nil, err
	}
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	return ids, nil
}

// forYouHistory is what describes the viewer: its newest favourites and
// its own newest statuses (a boost stands for its original), newest first.
func (s *Service) forYouHistory(ctx context.Context, viewer *store.Account) ([]*store.Status, error) {
	favs, err := s.store.ListFavourites(ctx, viewer.ID, store.Page{Limit: forYouHistory})
	if err != nil {
		return nil, err
	}
	own, err := s.store.ListStatuses(ctx, store.StatusQuery{AccountIDs: []int64{viewer.ID},
		Visibilities: []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect},
		Page:         store.Page{Limit: forYouHistory}})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(favs)+2*len(own))
	for _, f := range favs {
		ids = append(ids, f.StatusID)
	}
	for _, st := range own {
		ids = append(ids, st.ID)
		if st.ReblogOfID != 0 {
			ids = append(ids, st.ReblogOfID)
		}
	}
	return s.store.GetStatusesByIDs(ctx, ids)
}

// forYouContent returns the statuses nearest to the viewer's interests,
// best first: the texts of its newest history, embedded together (the
// embedder pools words, so this is the mean of their meaning), searched in
// the index.
func (s *Service) forYouContent(ctx context.Context, hist []*store.Status) ([]int64, error) {
	if s.srch == nil {
		return nil, nil
	}
	texts := make([]string, 0, len(hist))
	for _, st := range hist {
		if st.ReblogOfID == 0 && st.Text != "" {
			texts = append(texts, st.Text)
		}
	}
	q := recommend.InterestQuery(texts)
	if q == "" {
		return nil, nil
	}
	return s.srch.SearchStatusIDs(ctx, q, recommend.ContentCandidates)
}

// dropInteracted removes reblogs (candidates are originals), the viewer's
// own statuses, and those it has favourited or boosted (history is only
// the newest of them).
func (s *Service) dropInteracted(ctx context.Context, viewer *store.Account, sts []*store.Status) ([]*store.Status, error) {
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	flags, err := s.store.GetInteractionFlags(ctx, viewer.ID, ids)
	if err != nil {
		return nil, err
	}
	out := sts[:0]
	for _, st := range sts {
		if st.ReblogOfID != 0 || st.AccountID == viewer.ID || flags.Favourited[st.ID] || flags.Reblogged[st.ID] {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// spreadAuthors keeps, in order, at most perAuthor statuses of each author
// and at most n in all, so no page is one account's.
func spreadAuthors(sts []*store.Status, perAuthor, n int) []*store.Status {
	count := map[int64]int{}
	out := make([]*store.Status, 0, min(len(sts), n))
	for _, st := range sts {
		if len(out) == n {
			break
		}
		if count[st.AccountID] < perAuthor {
			count[st.AccountID]++
			out = append(out, st)
		}
	}
	return out
}
