package snowflake

import (
	"sync"
	"testing"
	"time"
)

func TestNextIsStrictlyIncreasingUnderConcurrency(t *testing.T) {
	g := New()
	const workers, each = 8, 5000
	out := make(chan []int64, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]int64, each)
			for i := range ids {
				ids[i] = g.Next()
			}
			out <- ids
		}()
	}
	wg.Wait()
	close(out)
	seen := make(map[int64]bool, workers*each)
	for ids := range out {
		for i, id := range ids {
			if i > 0 && id <= ids[i-1] {
				t.Fatalf("ids not increasing within a goroutine: %d then %d", ids[i-1], id)
			}
			if seen[id] {
				t.Fatalf("duplicate id %d", id)
			}
			seen[id] = true
			if id <= 0 || id > MaxID {
				t.Fatalf("id %d outside (0, 2^53)", id)
			}
		}
	}
}

func TestClockStepsBackwards(t *testing.T) {
	clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	g := &Generator{now: func() time.Time { return clock }}
	a := g.Next()
	clock = clock.Add(-time.Second)
	b := g.Next()
	if b <= a {
		t.Fatalf("after the clock stepped back, got %d <= %d", b, a)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	tm := time.Date(2090, 12, 31, 23, 59, 59, 123e6, time.UTC)
	id := FromTime(tm)
	if id > MaxID {
		t.Fatalf("2090 does not fit in 53 bits: %d", id)
	}
	if got := Time(id); !got.Equal(tm) {
		t.Fatalf("Time(FromTime(%v)) = %v", tm, got)
	}
}
