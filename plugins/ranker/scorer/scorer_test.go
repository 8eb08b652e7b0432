package scorer

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
)

func configured(t *testing.T, cfg string) *Scorer {
	t.Helper()
	s := New()
	resp, err := s.Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(cfg)})
	if err != nil || resp.Error != "" {
		t.Fatalf("Configure: %v %q", err, resp.Error)
	}
	return s
}

func TestWeightsDecideTheOrder(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cands := []pluginsdk.Candidate{
		{ID: 1, CreatedAt: now.Add(-48 * time.Hour), Favourites: 1000},
		{ID: 2, CreatedAt: now.Add(-time.Minute)},
		{ID: 3, CreatedAt: now.Add(-24 * time.Hour), Affinity: 1, FollowingAuthor: true},
		{ID: 4, CreatedAt: now.Add(-24 * time.Hour), Similarity: math.NaN(), Features: map[string]float64{"boost": 10}},
	}
	order := func(cfg string) []int64 {
		resp, err := configured(t, cfg).Rank(context.Background(), &pluginsdk.RankRequest{Now: now, Candidates: cands})
		if err != nil || len(resp.Scores) != len(cands) {
			t.Fatalf("Rank: %+v %v", resp, err)
		}
		ids := []int64{1, 2, 3, 4}
		slices.SortStableFunc(ids, func(a, b int64) int {
			sa, sb := resp.Scores[a-1], resp.Scores[b-1]
			switch {
			case sa > sb:
				return -1
			case sa < sb:
				return 1
			}
			return 0
		})
		return ids
	}
	if got := order(`{"weights": {"recency": 1}}`); got[0] != 2 {
		t.Errorf("recency only: %v, want the newest first", got)
	}
	if got := order(`{"weights": {"engagement": 1}}`); got[0] != 1 {
		t.Errorf("engagement only: %v, want the most favourited first", got)
	}
	if got := order(`{"weights": {"affinity": 1, "following": 1}}`); got[0] != 3 {
		t.Errorf("affinity: %v, want the close author first", got)
	}
	if got := order(`{"weights": {}, "features": {"boost": 1}}`); got[0] != 4 {
		t.Errorf("named feature: %v, want the boosted one first", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for cfg, want := range map[string]string{
		`{"half_life": "0s"}`:        "half_life",
		`{"weights": {"recent": 1}}`: `unknown field "recent"`,
	} {
		resp, _ := New().Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(cfg)})
		if !strings.Contains(resp.Error, want) {
			t.Errorf("Configure(%s) = %q, want %q", cfg, resp.Error, want)
		}
	}
}
