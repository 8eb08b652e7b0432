package readcache

import (
	"sync"
	"sync/atomic"
)

// maxBumpedKeys bounds a domain's per-key versions: beyond it the domain
// is invalidated whole and the versions start again, so memory does not
// grow with the number of keys ever written.
const maxBumpedKeys = 1 << 16

// domain is a versioned cache: entries keyed by K, each filed under a
// version group (group(k)), held in two generations of at most max
// entries each (when the young one is full the old one is dropped).
//
// The protocol that keeps it exact: a filler takes stamp() BEFORE reading
// the database and offers the row with put(k, v, stamp); a writer calls
// bump (or bumpAll) AFTER its write committed. An entry is served only if
// its group was not bumped after its stamp, so a row read before a
// concurrent commit is never served after that commit's bump.
//
// Reads share the lock: every signed-in request reads several domains,
// and with an exclusive lock a holder descheduled mid-page (by the Go
// scheduler or the OS) held up every other request behind it, which was
// most of the home timeline's p99. An entry still served from the old
// generation is moved to the young one afterwards, under the write lock.
type domain[K comparable, V any] struct {
	group func(K) int64

	mu         sync.RWMutex
	tick       uint64
	all        uint64           // tick of the last bumpAll
	bumped     map[int64]uint64 // tick of the last bump, per group
	young, old map[K]entry[V]
	max        int

	hits, misses atomic.Uint64 // lookups served and not
}

type entry[V any] struct {
	at  uint64 // stamp taken before the row was read
	val V
}

func newDomain[K comparable, V any](max int, group func(K) int64) *domain[K, V] {
	return &domain[K, V]{group: group, max: max, bumped: map[int64]uint64{}, young: map[K]entry[V]{}}
}

// stamp is taken before reading what will be put.
func (d *domain[K, V]) stamp() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.tick
}

func (d *domain[K, V]) validLocked(k K, at uint64) bool {
	return d.all <= at && d.bumped[d.group(k)] <= at
}

// get returns the entry for k if no bump since it was read invalidated it.
func (d *domain[K, V]) get(k K) (v V, ok bool) {
	d.getEach([]K{k}, func(_ K, got V, served bool) { v, ok = got, served })
	return v, ok
}

// getEach calls fn with each key's entry and whether it is served, under
// the read lock: fn must not call d.
func (d *domain[K, V]) getEach(keys []K, fn func(k K, v V, ok bool)) {
	var keep []K // served from the old generation
	var hits uint64
	d.mu.RLock()
	for _, k := range keys {
		e, ok := d.young[k]
		if !ok {
			if e, ok = d.old[k]; ok && d.validLocked(k, e.at) {
				keep = append(keep, k)
			}
		}
		if ok = ok && d.validLocked(k, e.at); ok {
			hits++
		}
		fn(k, e.val, ok)
	}
	d.mu.RUnlock()
	d.hits.Add(hits)
	d.misses.Add(uint64(len(keys)) - hits)
	if len(keep) > 0 {
		d.keep(keep)
	}
}

// keep moves keys still read from the old generation to the young one.
func (d *domain[K, V]) keep(keys []K) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if _, ok := d.young[k]; ok {
			continue
		}
		if e, ok := d.old[k]; ok && d.validLocked(k, e.at) {
			d.putLocked(k, e)
		}
	}
}

// put keeps v for k unless k's group was bumped after at.
func (d *domain[K, V]) put(k K, v V, at uint64) {
	d.putEach(at, func(put func(K, V)) { put(k, v) })
}

// putEach keeps each k, v that fill offers through put unless k's group
// was bumped after at, under one hold of the write lock: a page's misses
// are stored at once. Right
// after a restart every page stores its rows, and a lock taken per row
// queued the writers behind each other and the readers behind them. fill
// runs under the lock: it must not call d.
func (d *domain[K, V]) putEach(at uint64, fill func(put func(k K, v V))) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fill(func(k K, v V) {
		if d.validLocked(k, at) {
			d.putLocked(k, entry[V]{at: at, val: v})
		}
	})
}

func (d *domain[K, V]) putLocked(k K, e entry[V]) {
	if len(d.young) >= d.max {
		d.old, d.young = d.young, make(map[K]entry[V], d.max)
	}
	d.young[k] = e
}

// bump invalidates every entry of the given groups.
func (d *domain[K, V]) bump(groups ...int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick++
	if len(d.bumped)+len(groups) > maxBumpedKeys {
		d.bumpAllLocked()
		return
	}
	for _, g := range groups {
		d.bumped[g] = d.tick
	}
}

// bumpAll invalidates the whole domain.
func (d *domain[K, V]) bumpAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick++
	d.bumpAllLocked()
}

func (d *domain[K, V]) bumpAllLocked() {
	d.all = d.tick
	clear(d.bumped)
	// Nothing stored before now can be served again: drop it.
	d.young, d.old = make(map[K]entry[V], d.max), nil
}

// counts returns the lookups served from memory and the others so far.
func (d *domain[K, V]) counts() (hits, misses uint64) {
	return d.hits.Load(), d.misses.Load()
}
