package social

import (
	"context"
	"hash/maphash"
	"slices"
	"sync"

	"github.com/starling-social/starling/go/store"
)

// statusPartsPerGeneration bounds the parts cache: it holds at most two
// generations of this many statuses (some 100 bytes each, so about 10 MB).
const statusPartsPerGeneration = 50_000

// statusParts are a status's mentioned account IDs and hashtags.
type statusParts struct {
	content  uint64 // hash of the Content they were stored with
	mentions []int64
	tags     []string
}

// statusPartsCache keeps the mentions and tags of statuses read recently,
// so a page of statuses (a home timeline above all) needs neither query
// when its statuses were read before. Both are written with the status in
// one transaction (store.StatusWrite) and never changed afterwards, so a
// status's entry stays right as long as the status exists; a deleted
// status is never asked for again, because no read path returns it. The
// entry also remembers a hash of the content it was read with, so an edit
// feature, which would rewrite mentions and tags with the content, would
// find the entry outdated rather than serve it. Two generations bound the
// memory: when the young one is full, the old one is dropped. Reads share
// the lock (every page reads it), and an entry still read from the old
// generation moves to the young one afterwards, under the write lock.
type statusPartsCache struct {
	mu         sync.RWMutex
	young, old map[int64]*statusParts
	seed       maphash.Seed
	seedOnce   sync.Once
}

func (c *statusPartsCache) hash(content string) uint64 {
	c.seedOnce.Do(func() { c.seed = maphash.MakeSeed() })
	return maphash.String(c.seed, content)
}

// lookup calls found with the cached parts of each status of sts it holds,
// under the read lock (found must not call c), and returns the IDs it
// does not hold (or holds for other content). A callback rather than a
// map: the caller files the parts in its own maps, and a page's map of
// them was one more set of allocations per read.
func (c *statusPartsCache) lookup(sts []*store.Status, found func(id int64, p *statusParts)) (missing []int64) {
	hashes := make([]uint64, len(sts))
	for i, st := range sts {
		hashes[i] = c.hash(st.Content)
	}
	var keep []int64 // read from the old generation
	c.mu.RLock()
	for i, st := range sts {
		p, ok := c.young[st.ID]
		if !ok {
			if p, ok = c.old[st.ID]; ok {
				keep = append(keep, st.ID)
			}
		}
		if ok && p.content == hashes[i] {
			found(st.ID, p)
		} else {
			missing = append(missing, st.ID)
		}
	}
	c.mu.RUnlock()
	if len(keep) > 0 {
		c.mu.Lock()
		for _, id := range keep {
			if p, ok := c.old[id]; ok && c.young[id] == nil {
				c.putLocked(id, p)
			}
		}
		c.mu.Unlock()
	}
	return missing
}

// putAll stores ps[i] for ids[i], under one hold of the lock: right after
// a restart every page stores its statuses' parts, and a lock taken per
// status queued the writers behind each other and the readers behind them.
func (c *statusPartsCache) putAll(ids []int64, ps []*statusParts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, id := range ids {
		c.putLocked(id, ps[i])
	}
}

func (c *statusPartsCache) putLocked(id int64, p *statusParts) {
	if c.young == nil {
		c.young = make(map[int64]*statusParts)
	}
	if len(c.young) >= statusPartsPerGeneration {
		c.old, c.young = c.young, make(map[int64]*statusParts)
	}
	c.young[id] = p
}

// statusMentionsAndTags returns the mentioned account IDs and the tags of
// sts, by status ID, querying the store only for statuses not read
// recently. The returned slices are shared: callers must not modify them.
func (s *Service) statusMentionsAndTags(ctx context.Context, sts []*store.Status) (map[int64][]int64, map[int64][]string, error) {
	mentions := make(map[int64][]int64, len(sts))
	tags := make(map[int64][]string, len(sts))
	missing := s.parts.lookup(sts, func(id int64, p *statusParts) {
		mentions[id], tags[id] = p.mentions, p.tags
	})
	if len(missing) == 0 {
		return mentions, tags, nil
	}
	ms, err := s.store.GetStatusMentions(ctx, missing)
	if err != nil {
		return nil, nil, err
	}
	ts, err := s.store.GetStatusTags(ctx, missing)
	if err != nil {
		return nil, nil, err
	}
	want := make(map[int64]bool, len(missing))
	for _, id := range missing {
		want[id] = true
	}
	ids := make([]int64, 0, len(missing))
	parts := make([]*statusParts, 0, len(missing))
	for _, st := range sts {
		if !want[st.ID] {
			continue
		}
		delete(want, st.ID) // a status twice in sts is stored once
		mentions[st.ID], tags[st.ID] = slices.Clip(ms[st.ID]), slices.Clip(ts[st.ID])
		ids = append(ids, st.ID)
		parts = append(parts, &statusParts{content: s.parts.hash(st.Content), mentions: slices.Clip(ms[st.ID]), tags: slices.Clip(ts[st.ID])})
	}
	s.parts.putAll(ids, parts)
	return mentions, tags, nil
}
