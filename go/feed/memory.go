package feed

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/starling-social/starling/go/store"
)

// Per-timeline bookkeeping beside its IDs (map slot, LRU element, struct),
// counted against the memory budget so that many small timelines cannot
// exceed it either.
const (
	bytesPerEntry    = 8
	bytesPerTimeline = 160
)

// Memory is the in-process timeline store: per key (a home or a list), the
// newest status IDs, newest first, at most cap of them, all timelines
// together within a byte budget (least recently used evicted first).
//
// A timeline is either absent (rebuilt from SQL on its next read), being
// built, or present. Writes to an absent timeline are dropped: the rebuild
// reads them from SQL. Writes to one being built are kept and applied when
// the build installs, so a status committed after the rebuild's query but
// fanned out before its install is not lost.
//
// Reads share the lock: every home read pages a timeline, and with an
// exclusive lock a reader descheduled while holding it held up all the
// others. So a read does not reorder the LRU list; it marks its timeline,
// and eviction gives a marked timeline a second chance (moves it to the
// front, unmarked) instead of dropping it: least recently read first,
// approximately.
type Memory struct {
	mu       sync.RWMutex
	cap      int
	budget   int64
	used     int64
	tls      map[Key]*memTimeline
	lru      *list.List // of Key, most recent at the front
	builds   map[Key]*memBuild
	buildGen uint64
}

// Key names a cached timeline.
type Key struct {
	Kind byte // 'h' home, 'l' list, 'a' author (authors.go)
	ID   int64
}

// HomeKey is the key of an account's home timeline.
func HomeKey(accountID int64) Key { return Key{'h', accountID} }

// HomeKeys are the home timelines' keys of accounts ids.
func HomeKeys(ids []int64) []Key {
	keys := make([]Key, len(ids))
	for i, id := range ids {
		keys[i] = HomeKey(id)
	}
	return keys
}

// ListKey is the key of a list's timeline.
func ListKey(listID int64) Key { return Key{'l', listID} }

type memTimeline struct {
	ids []int64 // newest first
	// complete: ids hold every candidate there is (the rebuild found fewer
	// than cap and nothing was trimmed since), so a page past the oldest
	// is empty rather than cold.
	complete bool
	tag      uint64 // what it was built for (a list's members); a read for another tag misses
	elem     *list.Element
	read     atomic.Bool // read since it last moved to the LRU front
}

type memBuild struct {
	gen     uint64
	adds    []int64
	removes []int64
}

// NewMemory returns an in-process store keeping at most capPerTimeline IDs
// per timeline and about budgetBytes in all.
func NewMemory(capPerTimeline int, budgetBytes int64) *Memory {
	return &Memory{cap: capPerTimeline, budget: budgetBytes, tls: map[Key]*memTimeline{},
		lru: list.New(), builds: map[Key]*memBuild{}}
}

// Cap is the most IDs one timeline keeps.
func (m *Memory) Cap() int { return m.cap }

// memAddBatch bounds the timelines one Add writes under one hold of the
// lock, so that reads wait for a batch, not for a whole large fan-out.
const memAddBatch = 256

// Add inserts id into each of keys' timelines that is present or being
// built, and returns how many were (the rest are inactive or evicted).
func (m *Memory) Add(_ context.Context, keys []Key, id int64) (int, error) {
	written := 0
	for at := 0; at < len(keys); at += memAddBatch {
		m.mu.Lock()
		for _, k := range keys[at:min(at+memAddBatch, len(keys))] {
			if tl := m.tls[k]; tl != nil {
				m.insert(tl, id)
				written++
			} else if b := m.builds[k]; b != nil {
				b.adds = append(b.adds, id)
				written++
			}
		}
		m.evict(nil)
		m.mu.Unlock()
	}
	return written, nil
}

// Remove deletes id from each of keys' timelines.
func (m *Memory) Remove(_ context.Context, keys []Key, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		if tl := m.tls[k]; tl != nil {
			if i, ok := slices.BinarySearchFunc(tl.ids, id, desc); ok {
				tl.ids = slices.Delete(tl.ids, i, i+1)
				m.used -= bytesPerEntry
			}
		} else if b := m.builds[k]; b != nil {
			b.removes = append(b.removes, id)
		}
	}
	return nil
}

// Invalidate drops the timelines of keys, and any build under way for
// them: their next read rebuilds from SQL.
func (m *Memory) Invalidate(_ context.Context, keys ...Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		m.drop(k)
		delete(m.builds, k)
	}
	return nil
}

// Page returns the IDs of k's timeline inside page, newest first, and
// whether the cache answers it (Hit), has no timeline for k built for tag
// (Miss), or
// holds one that page reaches past (Cold: an old max_id; SQL serves it).
func (m *Memory) Page(_ context.Context, k Key, tag uint64, page store.Page) ([]int64, PageState, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	tl := m.tls[k]
	if tl == nil || tl.tag != tag {
		return nil, Miss, nil
	}
	tl.read.Store(true)
	ids, ok := windowPage(tl.ids, tl.complete, page)
	if !ok {
		return nil, Cold, nil
	}
	return ids, Hit, nil
}

// windowPage cuts page out of ids (newest first), which hold every
// candidate at or above their oldest entry (all of them when complete).
func windowPage(ids []int64, complete bool, page store.Page) ([]int64, bool) {
	var oldest int64
	if len(ids) > 0 {
		oldest = ids[len(ids)-1]
	}
	lo, hi := pageBounds(page)
	// ids are strictly descending: the page's candidates are one run of
	// them, found by two binary searches rather than a scan of the cap.
	start := 0
	if hi != 0 {
		start, _ = slices.BinarySearchFunc(ids, hi, desc) // first id <= hi
		if start < len(ids) && ids[start] == hi {
			start++
		}
	}
	end, _ := slices.BinarySearchFunc(ids, lo, desc) // first id <= lo: the rest are above it
	if end < start {
		end = start
	}
	in := cutToPage(ids[start:end], page)
	return decidePage(slices.Clone(in), complete, oldest, page)
}

// pageBounds are page's exclusive ID bounds (hi 0: none).
func pageBounds(page store.Page) (lo, hi int64) {
	lo, hi = page.SinceID, page.MaxID
	if page.MinID > lo {
		lo = page.MinID
	}
	return lo, hi
}

// decidePage says whether in, the at most page.Limit cached IDs inside
// page (newest first; the ones closest above MinID for a min_id page),
// are the page's answer. A cached timeline holds every candidate at or
// above its oldest entry (all of them when complete).
func decidePage(in []int64, complete bool, oldest int64, page store.Page) ([]int64, bool) {
	floor := int64(0) // candidates below floor may exist but are not cached
	if !complete {
		if oldest == 0 {
			return nil, false
		}
		floor = oldest
	}
	if page.MinID != 0 {
		// The entries closest above MinID are all cached only when MinID
		// is at or above the floor.
		if page.MinID < floor {
			return nil, false
		}
		return in, true
	}
	if len(in) >= page.Limit {
		return in, true
	}
	// Fewer than a page: the answer is whole only if nothing below the
	// floor could belong to it.
	if lo, _ := pageBounds(page); floor != 0 && lo < floor {
		return nil, false
	}
	return in, true
}

// BeginBuild marks k as being built and returns the build's generation,
// for InstallBuild. Writes from now on are kept for the install; a
// timeline k still holds (built for other list members) is dropped, or
// they would go to it and be lost when the build replaces it.
func (m *Memory) BeginBuild(_ context.Context, k Key) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drop(k)
	m.buildGen++
	m.builds[k] = &memBuild{gen: m.buildGen}
	return m.buildGen, nil
}

// InstallBuild makes ids (newest first, read from SQL after BeginBuild)
// k's timeline, built for tag, with the writes made since BeginBuild
// applied; complete says SQL had no more candidates than ids. A build invalidated since
// BeginBuild is discarded: it may predate the change.
func (m *Memory) InstallBuild(_ context.Context, k Key, gen, tag uint64, ids []int64, complete bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.builds[k]
	if b == nil || b.gen != gen {
		return nil
	}
	delete(m.builds, k)
	m.drop(k)
	tl := &memTimeline{complete: complete, tag: tag}
	tl.ids = make([]int64, 0, min(len(ids)+len(b.adds), m.cap))
	if len(ids) > m.cap {
		ids, tl.complete = ids[:m.cap], false
	}
	tl.ids = append(tl.ids, ids...)
	tl.elem = m.lru.PushFront(k)
	m.tls[k] = tl
	m.used += bytesPerTimeline + int64(len(tl.ids))*bytesPerEntry
	for _, id := range b.adds {
		m.insert(tl, id)
	}
	for _, id := range b.removes {
		if i, ok := slices.BinarySearchFunc(tl.ids, id, desc); ok {
			tl.ids = slices.Delete(tl.ids, i, i+1)
			m.used -= bytesPerEntry
		}
	}
	m.evict(tl.elem)
	return nil
}

// Stats are the store's size, for metrics and the bench.
type Stats struct {
	Timelines int
	Entries   int64
	Bytes     int64
}

// Stats returns the current size.
func (m *Memory) Stats() Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return Stats{Timelines: len(m.tls), Entries: (m.used - int64(len(m.tls))*bytesPerTimeline) / bytesPerEntry, Bytes: m.used}
}

func desc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// insert puts id in tl at its place, once, and trims tl to the cap.
func (m *Memory) insert(tl *memTimeline, id int64) {
	i, ok := slices.BinarySearchFunc(tl.ids, id, desc)
	if ok {
		return
	}
	if i == len(tl.ids) && !tl.complete {
		// Older than the oldest kept of an incomplete timeline: the
		// candidates between them are not cached, so neither is this one.
		return
	}
	if len(tl.ids) >= m.cap {
		if i >= m.cap {
			tl.complete = false // older than everything kept: below the window
			return
		}
		tl.ids = tl.ids[:m.cap-1]
		tl.complete = false
		m.used -= bytesPerEntry
	}
	tl.ids = slices.Insert(tl.ids, i, id)
	m.used += bytesPerEntry
}

func (m *Memory) drop(k Key) {
	tl := m.tls[k]
	if tl == nil {
		return
	}
	m.lru.Remove(tl.elem)
	delete(m.tls, k)
	m.used -= bytesPerTimeline + int64(len(tl.ids))*bytesPerEntry
}

// evict drops least recently read timelines until the budget holds. Each
// pass over a read timeline unmarks it, so the loop ends. keep (the
// timeline just installed, or nil) is passed over like a read one: it is
// unread, and when every other timeline was read since it last moved they
// would all pass it and it would be dropped as soon as it was built.
func (m *Memory) evict(keep *list.Element) {
	for m.used > m.budget && m.lru.Len() > 0 {
		back := m.lru.Back()
		k := back.Value.(Key)
		if m.lru.Len() > 1 && back == keep || m.tls[k].read.Swap(false) {
			m.lru.MoveToFront(back)
			continue
		}
		m.drop(k)
	}
}
