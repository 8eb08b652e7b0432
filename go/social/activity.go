package social

import (
	"context"
	"sync"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// Weekly activity covers Mastodon's twelve weeks and is recounted at most
// hourly: the endpoint is anonymous and each count scans a window of rows.
const (
	activityWeeks = 12
	activityTTL   = time.Hour
)

// weeksCache keeps the last weekly activity and when it was counted.
type weeksCache struct {
	mu    sync.Mutex
	at    time.Time
	weeks []store.ActivityWeek
}

// InstanceActivity returns the last twelve UTC weeks (Monday to Sunday),
// newest first, the current one included, each with the statuses posted
// (reblogs excluded), the accounts that signed in (were issued a token;
// tokens revoked since are not counted) and the accounts registered.
// Weeks without activity are there with zeros.
func (s *Service) InstanceActivity(ctx context.Context) ([]store.ActivityWeek, error) {
	const op = "social.InstanceActivity"
	c := &s.weeks
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.nowUTC()
	if c.weeks != nil && now.Sub(c.at) < activityTTL {
		return c.weeks, nil
	}
	const week = 7 * 24 * time.Hour
	today := now.Truncate(24 * time.Hour)
	monday := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	since := monday.Add(-(activityWeeks - 1) * week)
	counted, err := s.store.GetWeeklyActivity(ctx, since, snowflake.FromTime(since))
	if err != nil {
		return nil, internal(op, err)
	}
	byWeek := make(map[time.Time]store.ActivityWeek, len(counted))
	for _, w := range counted {
		byWeek[w.Week] = w
	}
	out := make([]store.ActivityWeek, activityWeeks)
	for i := range out {
		start := monday.Add(-time.Duration(i) * week)
		w, ok := byWeek[start]
		if !ok {
			w = store.ActivityWeek{Week: start}
		}
		out[i] = w
	}
	c.weeks, c.at = out, now
	return out, nil
}
