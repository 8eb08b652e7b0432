package main

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/sqlite"
)

// registerPoolMetrics exports the SQL connection pools: database/sql's
// go_sql_* for SQLite's writer and reader pools, starling_pg_pool_* for
// pgx's pool.
func registerPoolMetrics(reg prometheus.Registerer, st store.Store) {
	switch s := st.(type) {
	case *sqlite.Store:
		w, r := s.Pools()
		reg.MustRegister(collectors.NewDBStatsCollector(w, "sqlite_writer"), collectors.NewDBStatsCollector(r, "sqlite_reader"))
	case *postgres.Store:
		reg.MustRegister(pgPoolCollector{stat: s.PoolStat})
	}
}

// pgPoolCollector reads pgxpool.Stat at each scrape.
type pgPoolCollector struct{ stat func() *pgxpool.Stat }

var (
	pgPoolConns = prometheus.NewDesc("starling_pg_pool_connections", "PostgreSQL pool connections by state (acquired, idle, constructing).",
		[]string{"state"}, nil)
	pgPoolMax      = prometheus.NewDesc("starling_pg_pool_max_connections", "PostgreSQL pool size limit.", nil, nil)
	pgPoolAcquires = prometheus.NewDesc("starling_pg_pool_acquires_total", "Connections acquired from the PostgreSQL pool.", nil, nil)
	pgPoolWaits    = prometheus.NewDesc("starling_pg_pool_empty_acquires_total",
		"Acquires that waited because the PostgreSQL pool had no idle connection.", nil, nil)
	pgPoolWait = prometheus.NewDesc("starling_pg_pool_acquire_wait_seconds_total",
		"Time spent waiting for a PostgreSQL connection.", nil, nil)
)

func (pgPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{pgPoolConns, pgPoolMax, pgPoolAcquires, pgPoolWaits, pgPoolWait} {
		ch <- d
	}
}

func (c pgPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	ch <- prometheus.MustNewConstMetric(pgPoolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(pgPoolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(pgPoolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(pgPoolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(pgPoolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(pgPoolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(pgPoolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// registerIndexMetrics exports the status search index (the Rust
// library): its size, its training and its last recall check. index is
// read at each scrape (a change of embedder swaps the index in).
func registerIndexMetrics(reg prometheus.Registerer, index func() *search.Index) {
	reg.MustRegister(indexCollector{index})
}

type indexCollector struct{ index func() *search.Index }

var (
	indexVectors  = prometheus.NewDesc("starling_index_vectors", "Vectors in the status search index (the Rust library).", nil, nil)
	indexTrained  = prometheus.NewDesc("starling_index_trained_vectors", "Collection size at the last IVF-PQ training; 0 while the index is exact.", nil, nil)
	indexBuilding = prometheus.NewDesc("starling_index_building", "1 while an index build (training or rebuild) runs in the background.", nil, nil)
	indexBuilds   = prometheus.NewDesc("starling_index_builds_total", `Index builds (IVF-PQ trainings, rebuilds) by result: "ok" or "failed" (the old index kept serving).`,
		[]string{"result"}, nil)
	indexBuildSecs = prometheus.NewDesc("starling_index_last_build_duration_seconds", "How long the last successful index build took.", nil, nil)
	indexChecks    = prometheus.NewDesc("starling_index_recall_checks_total", "Recall checks run (starling index check).", nil, nil)
	indexRecall    = prometheus.NewDesc("starling_index_recall",
		"Recall@10 against exact search measured by the last recall check (NaN before one); the target is 0.95.", nil, nil)
)

func (indexCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{indexVectors, indexTrained, indexBuilding, indexBuilds, indexBuildSecs, indexChecks, indexRecall} {
		ch <- d
	}
}

func (c indexCollector) Collect(ch chan<- prometheus.Metric) {
	x := c.index()
	k := x.Counters()
	building := 0.0
	if x.Building() {
		building = 1
	}
	ch <- prometheus.MustNewConstMetric(indexVectors, prometheus.GaugeValue, float64(x.Len()))
	ch <- prometheus.MustNewConstMetric(indexTrained, prometheus.GaugeValue, float64(x.Trained()))
	ch <- prometheus.MustNewConstMetric(indexBuilding, prometheus.GaugeValue, building)
	ch <- prometheus.MustNewConstMetric(indexBuilds, prometheus.CounterValue, float64(k.BuildsOK.Load()), "ok")
	ch <- prometheus.MustNewConstMetric(indexBuilds, prometheus.CounterValue, float64(k.BuildsFailed.Load()), "failed")
	ch <- prometheus.MustNewConstMetric(indexBuildSecs, prometheus.GaugeValue, k.LastBuild().Seconds())
	ch <- prometheus.MustNewConstMetric(indexChecks, prometheus.CounterValue, float64(k.Checks.Load()))
	ch <- prometheus.MustNewConstMetric(indexRecall, prometheus.GaugeValue, k.LastRecall())
}

// embedderMetrics returns the observer of the remote embedder's requests:
// their latency, and the failed ones (a refused call is one the open
// circuit breaker failed at once).
func embedderMetrics(reg prometheus.Registerer) func(time.Duration, error) {
	took := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "starling_embedder_request_duration_seconds",
		Help:    "Requests to the embedding service (--embedder openai), retries included, by latency.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	})
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "starling_embedder_errors_total",
		Help: "Failed embedding service requests (reason request) and calls the open circuit refused (reason circuit_open).",
	}, []string{"reason"})
	reg.MustRegister(took, errs)
	failed, refused := errs.WithLabelValues("request"), errs.WithLabelValues("circuit_open")
	return func(d time.Duration, err error) {
		if errors.Is(err, search.ErrEmbedderUnavailable) {
			refused.Inc()
			return
		}
		took.Observe(d.Seconds())
		if err != nil {
			failed.Inc()
		}
	}
}

// registerStreamMetrics exports this process's streaming connections and
// the events dropped to slow clients.
func registerStreamMetrics(reg prometheus.Registerer, stats func() (int, int64)) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "starling_streaming_connections", Help: "Open streaming (WebSocket) connections of this process.",
		}, func() float64 { n, _ := stats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "starling_streaming_dropped_events_total", Help: "Events dropped because a streaming client's queue was full.",
		}, func() float64 { _, d := stats(); return float64(d) }),
	)
}
