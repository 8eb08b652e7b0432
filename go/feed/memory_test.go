package feed

import (
	"context"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestWindowPage(t *testing.T) {
	full := []int64{90, 80, 70, 60, 50} // cached down to 50, more below
	tests := []struct {
		name     string
		ids      []int64
		complete bool
		page     store.Page
		want     []int64
		ok       bool
	}{
		{"newest page", full, false, store.Page{Limit: 2}, []int64{90, 80}, true},
		{"max_id inside", full, false, store.Page{Limit: 2, MaxID: 80}, []int64{70, 60}, true},
		{"max_id reaching past the floor", full, false, store.Page{Limit: 3, MaxID: 70}, nil, false},
		{"max_id below the floor", full, false, store.Page{Limit: 2, MaxID: 40}, nil, false},
		{"complete: past the oldest is empty", full, true, store.Page{Limit: 2, MaxID: 50}, nil, true},
		{"since_id at the floor", full, false, store.Page{Limit: 10, SinceID: 50}, []int64{90, 80, 70, 60}, true},
		{"since_id below the floor", full, false, store.Page{Limit: 10, SinceID: 40}, nil, false},
		{"min_id closest above", full, false, store.Page{Limit: 2, MinID: 55}, []int64{70, 60}, true},
		{"min_id below the floor", full, false, store.Page{Limit: 2, MinID: 45}, nil, false},
		{"min_id below, complete", full, true, store.Page{Limit: 2, MinID: 45}, []int64{60, 50}, true},
		{"empty complete", nil, true, store.Page{Limit: 2}, nil, true},
		{"empty incomplete", nil, false, store.Page{Limit: 2}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := windowPage(tt.ids, tt.complete, tt.page)
			if ok != tt.ok || !slices.Equal(got, tt.want) {
				t.Fatalf("windowPage = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// page reads k's newest limit IDs and fails unless the state is want.
func page(t *testing.T, m *Memory, k Key, limit int, want PageState) []int64 {
	t.Helper()
	ids, state, err := m.Page(context.Background(), k, 0, store.Page{Limit: limit})
	if err != nil || state != want {
		t.Fatalf("Page(%v) state %v err %v, want state %v", k, state, err, want)
	}
	return ids
}

func TestMemoryBuildKeepsConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, 1<<20)
	k := HomeKey(1)
	if n, err := m.Add(ctx, []Key{k}, 5); err != nil || n != 0 { // absent: dropped, SQL has it
		t.Fatalf("Add to an absent timeline = %d, %v; want 0 written", n, err)
	}
	page(t, m, k, 10, Miss)
	gen, _ := m.BeginBuild(ctx, k)
	if n, _ := m.Add(ctx, []Key{k}, 9); n != 1 { // committed after the rebuild's query
		t.Fatalf("Add during a build = %d written, want 1", n)
	}
	_ = m.Remove(ctx, []Key{k}, 3) // deleted after it
	_ = m.InstallBuild(ctx, k, gen, 0, []int64{5, 3, 1}, true)
	if got := page(t, m, k, 10, Hit); !slices.Equal(got, []int64{9, 5, 1}) {
		t.Fatalf("after build: %v, want [9 5 1]", got)
	}
}

func TestMemoryInvalidateDiscardsBuild(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, 1<<20)
	k := HomeKey(1)
	gen, _ := m.BeginBuild(ctx, k)
	_ = m.Invalidate(ctx, k) // an unfollow while the build read SQL
	_ = m.InstallBuild(ctx, k, gen, 0, []int64{5}, true)
	page(t, m, k, 10, Miss)
}

func TestMemoryCapTrimsAndGoesCold(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(3, 1<<20)
	k := HomeKey(1)
	gen, _ := m.BeginBuild(ctx, k)
	_ = m.InstallBuild(ctx, k, gen, 0, []int64{30, 20}, true)
	_, _ = m.Add(ctx, []Key{k}, 40)
	_, _ = m.Add(ctx, []Key{k}, 50) // trims 20: no longer complete
	_, _ = m.Add(ctx, []Key{k}, 10) // older than the window: not kept
	if got := page(t, m, k, 3, Hit); !slices.Equal(got, []int64{50, 40, 30}) {
		t.Fatalf("after trims: %v", got)
	}
	page(t, m, k, 4, Cold)
	if s := m.Stats(); s.Entries != 3 || s.Timelines != 1 {
		t.Fatalf("stats %+v, want 3 entries in 1 timeline", s)
	}
}

// TestMemoryEvictsLeastRecentlyRead fills a budget of two timelines and
// builds a third: the least recently read one goes. When every other one
// was read since it last moved, the one just built is still kept.
func TestMemoryEvictsLeastRecentlyRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		read []int64 // timelines read between building 2 and 3
		gone int64
		kept []int64
	}{
		{"one read", []int64{1}, 2, []int64{1, 3}},
		{"all read", []int64{1, 2}, 1, []int64{2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			budget := int64(2*bytesPerTimeline + 4*bytesPerEntry) // two timelines of two
			m := NewMemory(10, budget)
			build := func(id int64) {
				gen, _ := m.BeginBuild(ctx, HomeKey(id))
				_ = m.InstallBuild(ctx, HomeKey(id), gen, 0, []int64{2, 1}, true)
			}
			build(1)
			build(2)
			for _, id := range tc.read {
				page(t, m, HomeKey(id), 2, Hit)
			}
			build(3)
			page(t, m, HomeKey(tc.gone), 2, Miss)
			for _, id := range tc.kept {
				page(t, m, HomeKey(id), 2, Hit)
			}
			if s := m.Stats(); s.Bytes > budget {
				t.Fatalf("%d bytes used, budget %d", s.Bytes, budget)
			}
		})
	}
}

// TestMemoryDropsWritesOfAbandonedBuild: an invalidated build keeps no
// writes (a failed rebuild invalidates its key).
func TestMemoryDropsWritesOfAbandonedBuild(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, 1<<20)
	k := HomeKey(1)
	_, _ = m.BeginBuild(ctx, k)
	_ = m.Invalidate(ctx, k)
	_, _ = m.Add(ctx, []Key{k}, 7)
	if len(m.builds) != 0 {
		t.Fatalf("%d builds kept after invalidation", len(m.builds))
	}
	page(t, m, k, 10, Miss)
}
