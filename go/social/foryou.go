package social

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/store"
)

// For-you bounds. One ranking costs a handful of queries and one pass over
// the recommender's items, so it is computed at most once per forYouTTL
// per viewer and paged from the cache; the cache holds at most
// maxForYouViewers rankings of at most forYouLength accepted IDs, plus,
// until a ranking is complete, its candidates (about 440 IDs).
const (
	forYouLength     = 200 // statuses in one viewer's ranking
	forYouPerAuthor  = 3   // default Config.ForYouPerAuthor
	forYouHistory    = 40  // favourites and own statuses that describe the viewer
	forYouChunk      = 40  // fewest candidates loaded and filtered at a time
	forYouTTL        = 2 * time.Minute
	maxForYouViewers = 10000
)

// forYouCache holds each viewer's ranking.
type forYouCache struct {
	mu sync.Mutex
	m  map[int64]*forYouRanking
}

// forYouRanking is one viewer's ranking: the blended candidates, best
// first, of which only as many are loaded and filtered as the pages read
// so far need (a first page loads about 40 of some 440 candidates).
type forYouRanking struct {
	at time.Time

	mu       sync.Mutex
	cands    []int64 // candidates, best first; cands[next:] not examined yet
	next     int
	ids      []int64       // accepted: visible, not interacted with, at most perAuthor each
	byAuthor map[int64]int // accepted statuses per author
}

func (c *forYouCache) get(viewerID int64, now time.Time) (*forYouRanking, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[viewerID]
	if !ok || now.Sub(r.at) >= forYouTTL {
		return nil, false
	}
	return r, true
}

func (c *forYouCache) put(viewerID int64, r *forYouRanking) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*forYouRanking{}
	}
	if len(c.m) >= maxForYouViewers {
		for id, e := range c.m {
			if r.at.Sub(e.at) >= forYouTTL || len(c.m) >= maxForYouViewers {
				delete(c.m, id)
			}
		}
	}
	c.m[viewerID] = r
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
	r, ok := s.forYou.get(viewer.ID, s.now())
	if !ok {
		var err error
		if r, err = s.rankForYou(ctx, op, viewer); err != nil {
			return nil, err
		}
		s.forYou.put(viewer.ID, r)
	}
	ids, fresh, err := s.forYouPage(ctx, op, viewer, r, pg)
	if err != nil || fresh != nil {
		return fresh, err
	}
	// The rules have the last word on every page: a favourite, block or
	// deletion since the statuses were accepted hides them now.
	return s.filterForYou(ctx, op, viewer, ids)
}

// forYouPage returns the IDs of pg's page of r, accepting more candidates
// first if the page reaches past those accepted so far. When this call
// accepted the whole page, it returns those statuses as fresh: they were
// filtered just now and need not be again.
func (s *Service) forYouPage(ctx context.Context, op string, viewer *store.Account, r *forYouRanking, pg store.Page) (ids []int64, fresh []*store.Status, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := 0
	if pg.MaxID != 0 {
		i := slices.Index(r.ids, pg.MaxID)
		if i < 0 {
			return nil, nil, nil // an unknown cursor (an expired ranking) ends the list
		}
		start = i + 1
	}
	from := len(r.ids)
	accepted, err := s.acceptForYou(ctx, op, viewer, r, start+pg.Limit)
	if err != nil {
		return nil, nil, err
	}
	if start >= from && start < len(r.ids) {
		return nil, page(accepted, pg.Limit, start-from), nil
	}
	return page(r.ids, pg.Limit, start), nil, nil
}

// acceptForYou examines r's candidates in order, in chunks, until want
// (at most forYouLength) are accepted or none is left, and returns those
// it accepted: the filters drop some, so a chunk is twice what is
// missing, and the loop refills until the page is full or the candidates
// run out.
func (s *Service) acceptForYou(ctx context.Context, op string, viewer *store.Account, r *forYouRanking, want int) ([]*store.Status, error) {
	want = min(want, forYouLength)
	var accepted []*store.Status
	for len(r.ids) < want && r.next < len(r.cands) {
		n := min(len(r.cands)-r.next, max(2*(want-len(r.ids)), forYouChunk))
		sts, err := s.filterForYou(ctx, op, viewer, r.cands[r.next:r.next+n])
		if err != nil {
			return nil, err
		}
		r.next += n
		accepted = append(accepted, r.accept(sts, s.cfg.ForYouPerAuthor)...)
	}
	if len(r.ids) == forYouLength || r.next == len(r.cands) {
		// Complete: only the accepted IDs are read from now on.
		r.cands, r.next, r.byAuthor = nil, 0, nil
	}
	return accepted, nil
}

// accept appends sts, in order, to the accepted statuses, at most
// perAuthor of one author and forYouLength in all, so no page is one
// account's; it returns those it accepted.
func (r *forYouRanking) accept(sts []*store.Status, perAuthor int) []*store.Status {
	if r.byAuthor == nil {
		r.byAuthor = map[int64]int{}
	}
	out := sts[:0]
	for _, st := range sts {
		if len(r.ids) == forYouLength {
			break
		}
		if r.byAuthor[st.AccountID] < perAuthor {
			r.byAuthor[st.AccountID]++
			r.ids = append(r.ids, st.ID)
			out = append(out, st)
		}
	}
	return out
}

// filterForYou loads ids in order and keeps those For-you may show viewer:
// originals it neither wrote, favourited nor boosted, and can see.
func (s *Service) filterForYou(ctx context.Context, op string, viewer *store.Account, ids []int64) ([]*store.Status, error) {
	sts, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	if sts, err = s.dropInteracted(ctx, viewer, sts); err != nil {
		return nil, internal(op, err)
	}
	return s.filterVisible(ctx, viewer, sts, readForYou)
}

// rankForYou computes viewer's ranking: candidates from the collaborative
// model, the vector index (the viewer's interests), the network (home)
// and what is popular, ranked by recommend.ForYou (the ranking the
// relevance bench measures); the pages accept them lazily. When a ranker
// plugin is enabled it orders the ranking instead, so every candidate is
// filtered first and the plugin sees all forYouLength of them.
func (s *Service) rankForYou(ctx context.Context, op string, viewer *store.Account) (*forYouRanking, error) {
	// The network read does not depend on the history: it runs beside the
	// history and the interest query, which a first read would otherwise
	// wait for one after the other (each about 2 ms of SQL or index).
	type network struct {
		ids []int64
		err error
	}
	netc := make(chan network, 1) // buffered: an early return leaves no goroutine blocked
	go func() {
		ids, err := s.forYouNetwork(ctx, viewer)
		netc <- network{ids, err}
	}()
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
	net := <-netc
	if net.err != nil {
		return nil, internal(op, net.err)
	}
	v.Network = net.ids
	trending, err := s.trends.statuses.get(ctx, s.now(), trendsTTL, s.rankStatuses)
	if err != nil {
		return nil, internal(op, err)
	}
	for _, t := range page(trending, forYouLength/4, 0) {
		v.Trending = append(v.Trending, t.StatusID)
	}
	r := &forYouRanking{at: s.now()}
	if s.recs != nil {
		r.cands = s.recs.ForYou(v, forYouLength)
	} else {
		r.cands = recommend.ForYou(nil, v, forYouLength, recommend.DefaultWeights)
	}
	if !s.ranking() {
		return r, nil
	}
	sts, err := s.filterForYou(ctx, op, viewer, r.cands)
	if err != nil {
		return nil, err
	}
	sts = r.accept(sts, s.cfg.ForYouPerAuthor)
	if sts, err = s.rankByRanker(ctx, op, viewer, "for_you", "", sts); err != nil {
		return nil, err
	}
	r.ids, r.next = r.ids[:0], len(r.cands)
	for _, st := range sts {
		r.ids = append(r.ids, st.ID)
	}
	return r, nil
}

// forYouNetwork returns the newest statuses of the viewer's home (the
// original of a boost), not its own. A home not cached is read from SQL,
// newest forYouHistory only, rather than built whole (some 800 statuses
// for this 40: the largest part of a cold ranking at 1M statuses).
func (s *Service) forYouNetwork(ctx context.Context, viewer *store.Account) ([]int64, error) {
	if s.home == nil {
		return nil, nil
	}
	home, err := s.home.NewestHome(ctx, viewer.ID, store.Page{Limit: forYouHistory})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, st := range home {
		if st.AccountID == viewer.ID {
			continue
		}
		id := st.ID
		if st.ReblogOfID != 0 {
			id = st.ReblogOfID
		}
		ids = append(ids, id)
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
