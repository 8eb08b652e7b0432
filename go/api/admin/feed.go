package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/feed"
)

// FeedSwitch is the home timeline strategy in force (*feed.Switch).
type FeedSwitch interface {
	Config() feed.Config
	Stats() feed.Stats
	Set(ctx context.Context, cfg feed.Config) (feed.Config, error)
}

// Feed is GET /admin/feed: the strategy in force and its cache's size.
type Feed struct {
	Strategy           string `json:"strategy"`
	CelebrityThreshold int    `json:"celebrity_threshold"`
	TimelineCap        int    `json:"timeline_cap"`
	TimelineMemory     int64  `json:"timeline_memory_bytes"`
	Timelines          int    `json:"cached_timelines"`
	Entries            int64  `json:"cached_entries"`
	Bytes              int64  `json:"cached_bytes"`
}

func feedState(f FeedSwitch) Feed {
	c, s := f.Config(), f.Stats()
	return Feed{Strategy: c.Strategy, CelebrityThreshold: c.CelebrityThreshold, TimelineCap: c.Cap,
		TimelineMemory: c.MemoryBytes, Timelines: s.Timelines, Entries: s.Entries, Bytes: s.Bytes}
}

func getFeed(f FeedSwitch) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no home feed"})
			return
		}
		writeJSON(w, http.StatusOK, feedState(f))
	}
}

// setFeedStrategy is POST /admin/feed/strategy/{name}, optionally with
// ?celebrity_threshold=N: the new strategy starts with empty caches,
// rebuilt from SQL on each timeline's next read.
func setFeedStrategy(f FeedSwitch) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no home feed"})
			return
		}
		cfg := f.Config()
		cfg.Strategy = chi.URLParam(r, "name")
		if v := r.URL.Query().Get("celebrity_threshold"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || len(v) > 9 {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "celebrity_threshold must be a number"})
				return
			}
			cfg.CelebrityThreshold = n
		}
		if _, err := f.Set(r.Context(), cfg); err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, feedState(f))
	}
}
