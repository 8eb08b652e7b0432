package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"

	"github.com/starling-social/starling/go/seed"
	"github.com/starling-social/starling/go/store"
)

// followGraph is a directed follow graph over accounts 1..n (feed IDs are
// positive): followers[a] follow a, following[a] are followed by a.
type followGraph struct {
	followers [][]int64
	following [][]int64
}

func (g *followGraph) accounts() int { return len(g.followers) - 1 }

func (g *followGraph) edges() int {
	n := 0
	for _, f := range g.followers {
		n += len(f)
	}
	return n
}

// byFollowers returns the accounts, most followed first.
func (g *followGraph) byFollowers() []int64 {
	ids := make([]int64, g.accounts())
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	slices.SortStableFunc(ids, func(a, b int64) int { return cmp.Compare(len(g.followers[b]), len(g.followers[a])) })
	return ids
}

func newFollowGraph(n int) *followGraph {
	return &followGraph{followers: make([][]int64, n+1), following: make([][]int64, n+1)}
}

func (g *followGraph) follow(follower, followee int64) {
	g.followers[followee] = append(g.followers[followee], follower)
	g.following[follower] = append(g.following[follower], followee)
}

// loadGithubGraph reads github-social-graph's edges.csv (mutual follows:
// each undirected edge is inserted in both directions, as its README says)
// by the reader `starling seed --graph` uses.
func loadGithubGraph(path string) (*followGraph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sg, err := seed.ReadGraph(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g := newFollowGraph(sg.Nodes)
	for _, e := range sg.Edges {
		a, b := int64(e[0])+1, int64(e[1])+1 // feed IDs are positive
		g.follow(a, b)
		g.follow(b, a)
	}
	return g, nil
}

// powerLawGraph generates n accounts whose follower counts are
// heavy-tailed (followees drawn by a Zipf law over a shuffled ranking) and
// whose follow counts vary (1 to 1,000, mean about meanFollows), plus one
// more account followed by all n others: the bench's "100k-follower
// author" when n is 100,000.
func powerLawGraph(n, meanFollows int, seed uint64) *followGraph {
	r := rand.New(rand.NewPCG(seed, 7))
	g := newFollowGraph(n + 1)
	rank := r.Perm(n) // rank -> account-1
	zipf := rand.NewZipf(r, 1.2, 8, uint64(n-1))
	seen := map[int64]bool{}
	for a := int64(1); a <= int64(n); a++ {
		// Exponential follow counts around the mean, clamped.
		k := min(1000, max(1, int(r.ExpFloat64()*float64(meanFollows))))
		clear(seen)
		for tries := 0; len(seen) < k && tries < 4*k; tries++ {
			b := int64(rank[zipf.Uint64()]) + 1
			if b != a && !seen[b] {
				seen[b] = true
				g.follow(a, b)
			}
		}
	}
	celeb := int64(n + 1)
	for a := int64(1); a <= int64(n); a++ {
		g.follow(a, celeb)
	}
	return g
}

// graphStore is what the timeline engine reads as SQL (feed.Store), held
// in memory: the follow graph and the statuses per author. It makes the
// bench measure the engine and its timeline store, not a database (the
// store-write and http commands measure those); its queries do what the
// SQL ones do (per-author newest first, page bounds, limit).
type graphStore struct {
	g        *followGraph
	mu       sync.RWMutex
	byAuthor map[int64][]*store.Status // oldest first
	byID     map[int64]*store.Status
}

func newGraphStore(g *followGraph) *graphStore {
	return &graphStore{g: g, byAuthor: map[int64][]*store.Status{}, byID: map[int64]*store.Status{}}
}

// add commits st (IDs must increase).
func (s *graphStore) add(st *store.Status) {
	s.mu.Lock()
	s.byAuthor[st.AccountID] = append(s.byAuthor[st.AccountID], st)
	s.byID[st.ID] = st
	s.mu.Unlock()
}

func (s *graphStore) GetFollowingIDs(_ context.Context, accountID int64) ([]int64, error) {
	if accountID < 1 || accountID >= int64(len(s.g.following)) {
		return nil, nil
	}
	return slices.Clone(s.g.following[accountID]), nil
}

func (s *graphStore) GetReblogsHiddenIDs(context.Context, int64) ([]int64, error) { return nil, nil }

func (s *graphStore) GetFollowedTagNames(context.Context, int64) ([]string, error) { return nil, nil }

func (s *graphStore) ListPublicTaggedStatuses(context.Context, []string, store.Page) ([]*store.Status, error) {
	return nil, nil
}

func (s *graphStore) ListStatuses(_ context.Context, q store.StatusQuery) ([]*store.Status, error) {
	lo := max(q.Page.SinceID, q.Page.MinID)
	hi := q.Page.MaxID
	s.mu.RLock()
	var out []*store.Status
	for _, a := range q.AccountIDs {
		sts := s.byAuthor[a]
		end := len(sts)
		if hi != 0 {
			end, _ = slices.BinarySearchFunc(sts, hi, func(st *store.Status, id int64) int { return cmp.Compare(st.ID, id) })
		}
		for i, taken := end-1, 0; i >= 0 && taken < q.Page.Limit && sts[i].ID > lo; i, taken = i-1, taken+1 {
			if slices.Contains(q.Visibilities, sts[i].Visibility) {
				out = append(out, sts[i])
			}
		}
	}
	s.mu.RUnlock()
	if q.Page.MinID != 0 {
		slices.SortFunc(out, func(a, b *store.Status) int { return cmp.Compare(a.ID, b.ID) })
		out = out[:min(len(out), q.Page.Limit)]
		slices.Reverse(out)
		return out, nil
	}
	slices.SortFunc(out, func(a, b *store.Status) int { return cmp.Compare(b.ID, a.ID) })
	return out[:min(len(out), q.Page.Limit)], nil
}

// ListStatusIDs answers as ListStatuses, IDs alone.
func (s *graphStore) ListStatusIDs(ctx context.Context, q store.StatusQuery) ([]int64, error) {
	sts, err := s.ListStatuses(ctx, q)
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	return ids, err
}

func (s *graphStore) GetStatusesByIDs(_ context.Context, ids []int64) ([]*store.Status, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*store.Status, 0, len(ids))
	for _, id := range ids {
		if st := s.byID[id]; st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}
