// Package scorer is the weighted feature scorer the ranker plugin serves on
// the rank hook. It is the example for operators who want their own
// ranking: copy it, change Score, build, pin, reload.
//
// Each candidate's score is
//
//	recency·2^(−age/half_life) + engagement·log(1+favourites+2·reblogs+replies)/log(101)
//	+ affinity·Affinity + similarity·Similarity + following·[FollowingAuthor]
//	+ Σ features[name]·Features[name]
//
// with the weights from the configuration (defaults shown; a "weights"
// object replaces them all, so a weight it leaves out is 0):
//
//	{"weights": {"recency": 1, "engagement": 0.5, "affinity": 1, "similarity": 1, "following": 0.25},
//	 "half_life": "6h", "features": {}}
//
// It answers with scores, one per candidate; the host sorts by them and
// can never be handed back a candidate it did not send.
package scorer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
)

const (
	// Name and Version are what the plugin reports to the host.
	Name    = "ranker"
	Version = "1.0.0"
)

// Weights are the scorer's coefficients.
type Weights struct {
	Recency    float64 `json:"recency"`
	Engagement float64 `json:"engagement"`
	Affinity   float64 `json:"affinity"`
	Similarity float64 `json:"similarity"`
	Following  float64 `json:"following"`
}

type config struct {
	Weights  *Weights           `json:"weights"`
	HalfLife string             `json:"half_life"`
	Features map[string]float64 `json:"features"`
}

type settings struct {
	w        Weights
	halfLife time.Duration
	features map[string]float64
}

// Scorer implements the rank hook.
type Scorer struct {
	cur atomic.Pointer[settings]
}

var _ pluginsdk.Ranker = (*Scorer)(nil)

// New returns an unconfigured Scorer.
func New() *Scorer { return &Scorer{} }

// Info names the plugin and its hook.
func (*Scorer) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{Name: Name, Version: Version, Hooks: []string{pluginsdk.HookRank}}, nil
}

// Configure reads the weights; a missing config means the defaults.
func (s *Scorer) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	c := config{HalfLife: "6h"}
	if len(bytes.TrimSpace(req.Config)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return &pluginsdk.ConfigureResponse{Error: "config: " + err.Error()}, nil
		}
	}
	if c.Weights == nil {
		c.Weights = &Weights{Recency: 1, Engagement: 0.5, Affinity: 1, Similarity: 1, Following: 0.25}
	}
	hl, err := time.ParseDuration(c.HalfLife)
	if err != nil || hl <= 0 {
		return &pluginsdk.ConfigureResponse{Error: fmt.Sprintf("half_life: want a positive duration such as \"6h\", got %q", c.HalfLife)}, nil
	}
	for _, w := range []float64{c.Weights.Recency, c.Weights.Engagement, c.Weights.Affinity, c.Weights.Similarity, c.Weights.Following} {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return &pluginsdk.ConfigureResponse{Error: "weights: must be finite numbers"}, nil
		}
	}
	s.cur.Store(&settings{w: *c.Weights, halfLife: hl, features: c.Features})
	return &pluginsdk.ConfigureResponse{}, nil
}

// Rank scores every candidate.
func (s *Scorer) Rank(_ context.Context, req *pluginsdk.RankRequest) (*pluginsdk.RankResponse, error) {
	st := s.cur.Load()
	if st == nil {
		return nil, errors.New("ranker: not configured")
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	scores := make([]float64, len(req.Candidates))
	for i := range req.Candidates {
		scores[i] = st.score(&req.Candidates[i], now)
	}
	return &pluginsdk.RankResponse{Scores: scores}, nil
}

var logEngagementScale = math.Log(101)

// score is one candidate's weighted sum.
func (st *settings) score(c *pluginsdk.Candidate, now time.Time) float64 {
	var sc float64
	if !c.CreatedAt.IsZero() {
		age := max(now.Sub(c.CreatedAt), 0)
		sc += st.w.Recency * math.Exp2(-float64(age)/float64(st.halfLife))
	}
	eng := float64(max(c.Favourites, 0) + 2*max(c.Reblogs, 0) + max(c.Replies, 0))
	sc += st.w.Engagement * math.Log1p(eng) / logEngagementScale
	sc += st.w.Affinity*clamp(c.Affinity, 0, 1) + st.w.Similarity*clamp(c.Similarity, -1, 1)
	if c.FollowingAuthor {
		sc += st.w.Following
	}
	for name, w := range st.features {
		if v, ok := c.Features[name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			sc += w * v
		}
	}
	return sc
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return min(max(v, lo), hi)
}
