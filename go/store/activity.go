package store

import (
	"context"
	"slices"
	"time"
)

// ActivityWeek is one week of GET /api/v1/instance/activity. Weeks start on
// Monday at 00:00 UTC.
type ActivityWeek struct {
	Week          time.Time
	Statuses      int64 // statuses posted (reblogs excluded)
	Logins        int64 // distinct accounts that were issued a token
	Registrations int64 // accounts created
}

// Activity answers the instance's weekly activity.
type Activity interface {
	// GetWeeklyActivity counts, per UTC week (starting Monday) from the
	// week holding since on, the statuses created at or after since whose
	// ID is at least sinceID (IDs grow with time, so the bound keeps the
	// scan to the window), the distinct accounts issued tokens and the
	// accounts created. Weeks without any activity are absent; ascending.
	GetWeeklyActivity(ctx context.Context, since time.Time, sinceID int64) ([]ActivityWeek, error)
}

// ActivityWeeks merges per-week counts (statuses, logins, registrations),
// keyed by a backend's week start K, into ActivityWeeks, ascending; week
// converts a key to its time.
func ActivityWeeks[K comparable](week func(K) time.Time, statuses, logins, registrations map[K]int64) []ActivityWeek {
	byWeek := make(map[time.Time]*ActivityWeek)
	get := func(k K) *ActivityWeek {
		t := week(k)
		w, ok := byWeek[t]
		if !ok {
			w = &ActivityWeek{Week: t}
			byWeek[t] = w
		}
		return w
	}
	for k, n := range statuses {
		get(k).Statuses = n
	}
	for k, n := range logins {
		get(k).Logins = n
	}
	for k, n := range registrations {
		get(k).Registrations = n
	}
	out := make([]ActivityWeek, 0, len(byWeek))
	for _, w := range byWeek {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b ActivityWeek) int { return a.Week.Compare(b.Week) })
	return out
}
