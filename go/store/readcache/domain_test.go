package readcache

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// A row read before a write committed must not be kept once the write has
// bumped its key, whatever the order in which the filler and the writer
// finish, whether it is put alone or in a batch (putEach); rows of other
// keys stay.
func TestDomainRefusesRowsReadBeforeABump(t *testing.T) {
	for _, tc := range []struct {
		name   string
		all    bool // bumpAll rather than the key
		before bool // bump before the stamp (the read then saw the write)
		keep   bool
	}{
		{"bump after stamp", false, false, false},
		{"bumpAll after stamp", true, false, false},
		{"bump before stamp", false, true, true},
		{"bumpAll before stamp", true, true, true},
	} {
		for _, batch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/batch=%v", tc.name, batch), func(t *testing.T) {
				d := newDomain[int64, string](10, func(k int64) int64 { return k })
				bump := func() {
					if tc.all {
						d.bumpAll()
					} else {
						d.bump(1)
					}
				}
				d.put(2, "other", d.stamp())
				if tc.before {
					bump()
				}
				at := d.stamp()
				if !tc.before {
					bump()
				}
				if batch {
					d.putEach(at, func(put func(int64, string)) { put(1, "row"); put(3, "unbumped") })
					if _, ok := d.get(3); !ok && !tc.all {
						t.Error("a row of an unbumped key in the same batch was not kept")
					}
				} else {
					d.put(1, "row", at)
				}
				if _, ok := d.get(1); ok != tc.keep {
					t.Errorf("row kept = %v, want %v", ok, tc.keep)
				}
				if _, ok := d.get(2); ok == tc.all && !tc.before {
					t.Errorf("other key kept = %v after %s", ok, tc.name)
				}
			})
		}
	}
}

// An entry put, then bumped, is no longer served; one put after the bump is.
func TestDomainBumpInvalidatesHeldEntries(t *testing.T) {
	d := newDomain[key, int](10, func(k key) int64 { return k.v })
	d.put(key{1, 10}, 1, d.stamp())
	d.put(key{1, 11}, 2, d.stamp())
	d.put(key{2, 10}, 3, d.stamp())
	d.bump(1)
	for _, k := range []key{{1, 10}, {1, 11}} {
		if _, ok := d.get(k); ok {
			t.Errorf("%v served after its viewer was bumped", k)
		}
	}
	if v, ok := d.get(key{2, 10}); !ok || v != 3 {
		t.Errorf("another viewer's entry = %v, %v; want 3, true", v, ok)
	}
	d.put(key{1, 10}, 4, d.stamp())
	if v, ok := d.get(key{1, 10}); !ok || v != 4 {
		t.Errorf("entry put after the bump = %v, %v; want 4, true", v, ok)
	}
}

// Two generations bound the entries; what is read survives a turnover.
func TestDomainBounded(t *testing.T) {
	d := newDomain[int64, int64](4, func(k int64) int64 { return k })
	for i := range int64(20) {
		d.put(i, i, d.stamp())
		d.get(0) // read on every turn: kept
	}
	if n := len(d.young) + len(d.old); n > 8 {
		t.Errorf("%d entries held, want at most 8", n)
	}
	if _, ok := d.get(0); !ok {
		t.Error("the entry read on every turn was dropped")
	}
	// Per-key versions are bounded too.
	for i := range int64(maxBumpedKeys + 10) {
		d.bump(i)
	}
	if len(d.bumped) > maxBumpedKeys {
		t.Errorf("%d per-key versions held, want at most %d", len(d.bumped), maxBumpedKeys)
	}
}

// Lookups are counted: served ones as hits, the others (absent, or
// invalidated) as misses.
func TestDomainCounts(t *testing.T) {
	d := newDomain[int64, int](10, func(k int64) int64 { return k })
	d.get(1)
	d.put(1, 1, d.stamp())
	d.get(1)
	d.get(1)
	d.bump(1)
	d.get(1)
	if h, m := d.counts(); h != 2 || m != 2 {
		t.Errorf("counts = %d hits, %d misses; want 2, 2", h, m)
	}
}

// Readers filling and writers bumping at once: once the writers are done,
// whatever the domain serves is the database's last value, never one a
// reader read before a write (run with -race).
func TestDomainConcurrentFillsAndWrites(t *testing.T) {
	d := newDomain[int64, int64](100, func(k int64) int64 { return k % 4 })
	var db [8]atomic.Int64 // the "database": one value per key
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(r); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := i % 8
				if _, ok := d.get(k); !ok {
					at := d.stamp()
					d.put(k, db[k].Load(), at)
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 2000 {
				k := int64((i + w) % 8)
				db[k].Add(1) // commit
				if i%50 == 0 {
					d.bumpAll()
				} else {
					d.bump(k % 4)
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	for k := range int64(8) {
		if v, ok := d.get(k); ok && v != db[k].Load() {
			t.Errorf("key %d served %d, the database holds %d", k, v, db[k].Load())
		}
	}
}

// unique drops repeats, keeps the first order, and hands back a batch
// without repeats as it is.
func TestUnique(t *testing.T) {
	long := make([]int64, 0, 140)
	for i := range 70 {
		long = append(long, int64(i), int64(i))
	}
	wantLong := make([]int64, 70)
	for i := range wantLong {
		wantLong[i] = int64(i)
	}
	for _, tc := range []struct{ ids, want []int64 }{
		{nil, nil}, {[]int64{3}, []int64{3}}, {[]int64{3, 1, 2}, []int64{3, 1, 2}},
		{[]int64{3, 1, 3, 2, 1, 4}, []int64{3, 1, 2, 4}}, {[]int64{5, 5, 5}, []int64{5}},
		{long, wantLong},
	} {
		if got := unique(tc.ids); !slices.Equal(got, tc.want) {
			t.Errorf("unique(%v) = %v, want %v", tc.ids, got, tc.want)
		}
	}
	ids := []int64{1, 2, 3}
	if got := unique(ids); &got[0] != &ids[0] {
		t.Error("a batch without repeats was copied")
	}
}
