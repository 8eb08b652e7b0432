package social

import (
	"context"
	"testing"
	"time"
)

// The instance counts are read once per TTL: a status posted inside the
// TTL shows only once it has passed.
func TestInstanceStatsCached(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, _ := newService(t, Deps{Now: clock.Now}, Config{})
	a := mustAccount(t, s, "alice")
	post := func() {
		t.Helper()
		if _, err := s.PostStatus(ctx, a, StatusInput{Text: "hello", Visibility: "public"}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(users, statuses, active int64) {
		t.Helper()
		st, err := s.InstanceStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Users != users || st.Statuses != statuses || st.ActiveMonth != active {
			t.Errorf("stats = %+v, want users %d, statuses %d, active %d", st, users, statuses, active)
		}
	}
	post()
	want(1, 1, 1)
	post()
	clock.Advance(instanceStatsTTL - time.Second)
	want(1, 1, 1) // still the cached counts
	clock.Advance(time.Second)
	want(1, 2, 1)
}
