package recommend

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Live serves the latest trained Model and retrains it in the background
// (Run). Before the first training it knows nothing: Recommend and Popular
// return nil and callers fall back on their own candidates. Safe for
// concurrent use.
type Live struct {
	m atomic.Pointer[Model]
}

// Model returns the model being served, nil before the first training.
func (l *Live) Model() *Model { return l.m.Load() }

// Set serves m from now on (Run calls it; tests train directly).
func (l *Live) Set(m *Model) { l.m.Store(m) }

// Recommend is Model.Recommend on the served model.
func (l *Live) Recommend(history []int64, k int, skip func(int64) bool) []Scored {
	return l.m.Load().Recommend(history, k, skip)
}

// Popular is Model.Popular on the served model.
func (l *Live) Popular(k int, skip func(int64) bool) []Scored { return l.m.Load().Popular(k, skip) }

// Popularity is Model.Popularity on the served model.
func (l *Live) Popularity(item int64) float64 { return l.m.Load().Popularity(item) }

// Run trains from load now and then every period until ctx ends. load
// bounds its own result (the server passes the newest N interactions); a
// failed load or training keeps the served model and is logged.
func (l *Live) Run(ctx context.Context, period time.Duration, opt Options, load func(context.Context) ([]Interaction, error), log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		start := time.Now()
		ints, err := load(ctx)
		if err == nil {
			var m *Model
			if m, err = Train(ints, opt); err == nil {
				l.Set(m)
				log.Info("recommender trained", "interactions", len(ints), "items", m.Len(), "took", time.Since(start))
			}
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("recommender training failed; serving the previous model", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ForYou is ForYou on the served model with DefaultWeights.
func (l *Live) ForYou(v Viewer, n int) []int64 { return ForYou(l.m.Load(), v, n, DefaultWeights) }
