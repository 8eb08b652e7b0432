package feed

import (
	"testing"
	"time"
)

// TestFanoutModel: the hybrid decision weighs the follower count, the
// author's post rate and the live share of its audience; push refuses
// only past PushLimit.
func TestFanoutModel(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		threshold int
		followers int
		posts     int           // earlier statuses, spread over span
		span      time.Duration // over which the earlier statuses came
		active    float64       // live share seen at the last fan-out (0: none seen)
		ago       time.Duration // how long before the span the earlier statuses began
		want      bool
	}{
		{"push, many followers", 0, PushLimit - 1, 100, time.Minute, 1, 0, false},
		{"push, past the limit", 0, PushLimit, 0, 0, 0, 0, true},
		{"hybrid, at the threshold", 1000, 1000, 0, 0, 0, 0, true},
		{"hybrid, below the rate floor, prolific", 1000, 99, 100, time.Minute, 0.01, 0, false},
		{"hybrid, occasional poster", 1000, 500, 2, time.Hour, 1, 0, false},
		{"hybrid, burst, readers live", 1000, 500, 5, time.Minute, 1, 0, true},
		{"hybrid, burst under the rate, readers live", 1000, 500, 4, time.Minute, 1, 0, false},
		{"hybrid, few posts, readers gone", 1000, 500, 2, time.Minute, 0.05, 0, true},
		{"hybrid, a burst two windows ago", 1000, 500, 50, time.Minute, 1, 2 * rateWindow, false},
		{"hybrid, a burst in the last window", 1000, 500, 50, time.Minute, 1, rateWindow / 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newFanoutModel(tt.threshold)
			start := t0.Add(-tt.ago)
			for i := range tt.posts {
				at := start.Add(time.Duration(i) * tt.span / time.Duration(max(1, tt.posts)))
				m.celebrity(7, tt.followers, at)
				if tt.active > 0 {
					m.observe(7, int(tt.active*float64(tt.followers+1)), tt.followers+1, at)
				}
			}
			if got := m.celebrity(7, tt.followers, t0.Add(tt.span)); got != tt.want {
				t.Fatalf("celebrity = %v, want %v", got, tt.want)
			}
		})
	}
}
