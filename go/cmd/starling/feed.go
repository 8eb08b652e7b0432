package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starling-social/starling/go/api/admin"
	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake"
)

const feedSynopsis = `starling feed show [--admin-addr A] [--admin-token T]
starling feed strategy pull|push|hybrid [--celebrity-threshold N] [--admin-addr A] [--admin-token T] [--actor NAME]`

// runFeed shows or switches the running server's home timeline strategy.
func runFeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", feedSynopsis)
	}
	cmd, rest := args[0], args[1:]
	name := ""
	switch cmd {
	case "show":
	case "strategy":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("usage: %s", feedSynopsis)
		}
		name, rest = rest[0], rest[1:]
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, feedSynopsis)
		return nil
	default:
		return fmt.Errorf("unknown feed command %q\n%s", cmd, feedSynopsis)
	}
	fs := flag.NewFlagSet("feed "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	threshold := fs.Int("celebrity-threshold", 0, "hybrid: the new celebrity threshold (default: keep the current one)")
	fs.Usage = usage(fs, feedSynopsis)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	var f admin.Feed
	if name == "" {
		err = c.do(ctx, http.MethodGet, "/admin/feed", &f)
	} else {
		path := "/admin/feed/strategy/" + url.PathEscape(name)
		if *threshold != 0 {
			path += "?celebrity_threshold=" + strconv.Itoa(*threshold)
		}
		err = c.do(ctx, http.MethodPost, path, &f)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "strategy %s, celebrity threshold %d, cap %d per timeline; %d timelines cached, %d entries, %d bytes\n",
		f.Strategy, f.CelebrityThreshold, f.TimelineCap, f.Timelines, f.Entries, f.Bytes)
	return nil
}

// outboxCounter counts the statuses whose delivery is pending and finds
// the oldest.
type outboxCounter interface {
	CountOutbox(ctx context.Context) (int, error)
	OldestOutbox(ctx context.Context) (int64, error)
}

// deliveryStats is the delivery queue's state (social.Service).
type deliveryStats interface {
	DeliveryStats() (queued int, overflowed int64)
}

// registerFeedMetrics exports the timeline cache's size and the outbox
// backlog (a growing backlog means delivery is failing or behind).
func registerFeedMetrics(reg prometheus.Registerer, sw *feed.Switch, ob outboxCounter, dq deliveryStats) {
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	gauge("starling_timeline_cache_timelines", "Cached home and list timelines in this process.",
		func() float64 { return float64(sw.Stats().Timelines) })
	gauge("starling_timeline_cache_entries", "Status IDs held by the cached timelines.",
		func() float64 { return float64(sw.Stats().Entries) })
	gauge("starling_timeline_cache_bytes", "Bytes the timeline cache counts against --timeline-memory.",
		func() float64 { return float64(sw.Stats().Bytes) })
	k := sw.Counters()
	counter := func(name, help string, labels prometheus.Labels, v func() int64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(v()) }))
	}
	counter("starling_feed_fanout_statuses_total", "Statuses written into cached timelines (push and hybrid).", nil, k.FanoutStatuses.Load)
	counter("starling_feed_fanout_timelines_total", "Timeline writes made by fan-out: one per home or list a status reached.", nil, k.FanoutTimelines.Load)
	counter("starling_feed_fanout_failures_total", "Fan-outs that failed; the outbox delivers them again.", nil, k.FanoutFailures.Load)
	const readsHelp = "Cached home and list pages by how they were served: hit (the cached timeline), rebuilt (after rebuilding it from SQL), sql (past the cached window or the timeline store failing)."
	counter("starling_timeline_reads_total", readsHelp, prometheus.Labels{"result": "hit"}, k.ReadsHit.Load)
	counter("starling_timeline_reads_total", readsHelp, prometheus.Labels{"result": "rebuilt"}, k.ReadsRebuilt.Load)
	counter("starling_timeline_reads_total", readsHelp, prometheus.Labels{"result": "sql"}, k.ReadsSQL.Load)
	gauge("starling_delivery_queue", "Committed statuses waiting for a delivery worker (--delivery-workers).",
		func() float64 { n, _ := dq.DeliveryStats(); return float64(n) })
	counter("starling_delivery_overflow_total", "Statuses a full delivery queue left to the outbox relay.", nil,
		func() int64 { _, n := dq.DeliveryStats(); return n })
	gauge("starling_outbox_pending", "Statuses whose delivery (fan-out, streaming, index) is pending, -1 if unknown.",
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := ob.CountOutbox(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		})
	gauge("starling_outbox_oldest_age_seconds", "Age of the oldest status whose delivery is pending (0: none; -1 if unknown): the outbox lag. "+
		"Delivered events are deleted within a relay pass (1 s), so beyond the 10 s lease it means delivery fails.",
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			id, err := ob.OldestOutbox(ctx)
			switch {
			case err != nil:
				return -1
			case id == 0:
				return 0
			}
			return max(time.Since(snowflake.Time(id)).Seconds(), 0)
		})
}

// registerTimelineStoreHealth exports whether the shared timeline store
// (Redis) answers, asked at each scrape: 1 while it does not (the server
// is degraded: timelines are read from SQL, fan-outs wait in the outbox),
// 0 otherwise and always with the in-process store (nil).
func registerTimelineStoreHealth(reg prometheus.Registerer, shared *feed.Redis) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "starling_timeline_store_degraded",
		Help: "1 while the Redis timeline store does not answer (timelines read from SQL, fan-outs wait in the outbox), else 0."},
		func() float64 {
			if shared == nil {
				return 0
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if shared.Ping(ctx) != nil {
				return 1
			}
			return 0
		}))
}
