package readcache

import "sync"

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
type domain[K comparable, V any] struct {
	group func(K) int64

	mu         sync.Mutex
	tick       uint64
	all        uint64           // tick of the last bumpAll
	bumped     map[int64]uint64 // tick of the last bump, per group
	young, old map[K]entry[V]
	max        int

	hits, misses uint64 // lookups served and not, under mu
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
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tick
}

func (d *domain[K, V]) validLocked(k K, at uint64) bool {
	return d.all <= at && d.bumped[d.group(k)] <= at
}

// get returns the entry for k if no bump since it was read invalidated it.
func (d *domain[K, V]) get(k K) (V, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.getLocked(k)
}

func (d *domain[K, V]) getLocked(k K) (V, bool) {
	e, ok := d.young[k]
	if !ok {
		if e, ok = d.old[k]; ok && d.validLocked(k, e.at) {
			d.putLocked(k, e) // keep what is still read
		}
	}
	if !ok || !d.validLocked(k, e.at) {
		d.misses++
		var zero V
		return zero, false
	}
	d.hits++
	return e.val, true
}

// put keeps v for k unless k's group was bumped after at.
func (d *domain[K, V]) put(k K, v V, at uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.validLocked(k, at) {
		d.putLocked(k, entry[V]{at: at, val: v})
	}
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
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits, d.misses
}
