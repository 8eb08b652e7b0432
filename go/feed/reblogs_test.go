package feed

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestWithoutRepeatedReblogs compares the paged de-duplication with the
// rule applied to a whole timeline at once, on random timelines (runs of
// reblogs of a few statuses, so that windows overlap and pages must read
// past their bounds) and random max_id, since_id and min_id pages.
// A newest-first page must not read any status twice.
func TestWithoutRepeatedReblogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	for round := range 300 {
		n := 1 + rng.IntN(400)
		originals := 1 + rng.IntN(6)
		var seq []*store.Status // newest first, IDs n..1
		for id := n; id >= 1; id-- {
			st := &store.Status{ID: int64(id)}
			if id > originals && rng.IntN(3) > 0 {
				st.ReblogOfID = int64(1 + rng.IntN(originals))
			}
			seq = append(seq, st)
		}
		var shown []int64 // the rule on the whole timeline
		for i := range seq {
			if !repeated(seq, i) {
				shown = append(shown, seq[i].ID)
			}
		}
		loaded := map[int64]int{} // how often read returned each status
		read := func(p store.Page) ([]*store.Status, error) {
			lo, hi := pageBounds(p)
			var in []*store.Status
			for _, s := range seq {
				if (hi == 0 || s.ID < hi) && s.ID > lo {
					in = append(in, s)
				}
			}
			if len(in) > p.Limit {
				if p.MinID != 0 {
					in = in[len(in)-p.Limit:]
				} else {
					in = in[:p.Limit]
				}
			}
			for _, s := range in {
				loaded[s.ID]++
			}
			return in, nil
		}
		page := store.Page{Limit: 1 + rng.IntN(40)}
		switch rng.IntN(4) {
		case 1:
			page.MaxID = int64(1 + rng.IntN(n+1))
		case 2:
			page.SinceID = int64(rng.IntN(n))
		case 3:
			page.MinID = int64(1 + rng.IntN(n))
		}
		got, err := withoutRepeatedReblogs(page, read)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := pageBounds(page)
		var want []int64
		for _, id := range shown {
			if (hi == 0 || id < hi) && id > lo {
				want = append(want, id)
			}
		}
		if len(want) > page.Limit {
			if page.MinID != 0 {
				want = want[len(want)-page.Limit:]
			} else {
				want = want[:page.Limit]
			}
		}
		if !slices.Equal(ids(got), want) {
			t.Fatalf("round %d: %d statuses, page %+v: %v, want %v", round, n, page, ids(got), want)
		}
		if page.MinID == 0 {
			// A newest-first page reads on below what it has read: each
			// candidate is loaded (and hydrated) once.
			for id, times := range loaded {
				if times > 1 {
					t.Fatalf("round %d: page %+v read status %d %d times", round, page, id, times)
				}
			}
		}
	}
}

// TestRepeatedReblogs: the rule on small timelines (newest first).
func TestRepeatedReblogs(t *testing.T) {
	rb := func(id, of int64) *store.Status { return &store.Status{ID: id, ReblogOfID: of} }
	st := func(id int64) *store.Status { return &store.Status{ID: id} }
	filler := func(from, n int64) []*store.Status {
		var out []*store.Status
		for id := from + n - 1; id >= from; id-- {
			out = append(out, st(id))
		}
		return out
	}
	tests := []struct {
		name string
		seq  []*store.Status
		want []int64
	}{
		{"a reblog of a status just posted", []*store.Status{rb(3, 1), st(2), st(1)}, []int64{2, 1}},
		{"a second reblog soon after", []*store.Status{rb(4, 1), st(3), rb(2, 1)}, []int64{3, 2}},
		{"a reblog of another status", []*store.Status{rb(3, 9), rb(2, 1), st(1)}, []int64{3, 1}},
		{"a reblog past the window", append([]*store.Status{rb(100, 1)}, append(filler(2, reblogFalloff), st(1))...),
			append(append([]int64{100}, ids(filler(2, reblogFalloff))...), 1)},
		{"a reblog at the window's edge", append([]*store.Status{rb(100, 1)}, append(filler(2, reblogFalloff-1), st(1))...),
			append(ids(filler(2, reblogFalloff-1)), 1)},
		// The rule reads candidates: a reblog left out still hides the next.
		{"a run of reblogs", []*store.Status{rb(5, 1), rb(4, 1), rb(3, 1), st(2)}, []int64{3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for i := range tt.seq {
				if !repeated(tt.seq, i) {
					got = append(got, tt.seq[i].ID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("shown %v, want %v", got, tt.want)
			}
		})
	}
}
