package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/store"
)

// feedResult is one JSON line of `feed`: one strategy over one timeline
// store on one graph, driven through the feed engine directly (no HTTP,
// no database: see graphStore). Documented in bench/README.md.
type feedResult struct {
	Engine       string `json:"engine"`
	Bench        string `json:"bench"` // feed, or feed-crossover for the hybrid threshold sweep
	Graph        string `json:"graph"`
	Accounts     int    `json:"accounts"`
	Follows      int    `json:"follows"`
	MaxFollowers int    `json:"max_followers"`
	Strategy     string `json:"strategy"`
	Store        string `json:"store"` // memory or redis
	Threshold    int    `json:"threshold,omitempty"`
	Cap          int    `json:"cap"`
	SeedStatuses int    `json:"seed_statuses"`

	// Rebuild: the first home read of each built account (a miss: the
	// timeline is rebuilt from the graph store, then read).
	Rebuilt        int     `json:"rebuilt"`
	RebuildSeconds float64 `json:"rebuild_seconds"`
	RebuildP50US   float64 `json:"rebuild_p50_us"`
	RebuildP99US   float64 `json:"rebuild_p99_us"`

	// Posts by random authors, and by the most followed authors. post_*
	// is the acknowledgement as the server gives it after the commit: the
	// fan-out itself for an author with at most --inline-audience
	// followers, else the hand-off to a delivery worker; delivery_* is
	// from the commit to the status being in every timeline.
	DeliveryWorkers  int     `json:"delivery_workers"`
	InlineAudience   int     `json:"inline_audience"`
	Posts            int     `json:"posts"`
	PostP50US        float64 `json:"post_p50_us"`
	PostP99US        float64 `json:"post_p99_us"`
	PostMaxUS        float64 `json:"post_max_us"`
	TopAuthors       []int   `json:"top_author_followers"`
	TopPosts         int     `json:"top_posts"`
	TopPostP50US     float64 `json:"top_post_p50_us"`
	TopPostP99US     float64 `json:"top_post_p99_us"`
	TopPostMaxUS     float64 `json:"top_post_max_us"`
	DeliveryP50US    float64 `json:"delivery_p50_us"`
	DeliveryP99US    float64 `json:"delivery_p99_us"`
	TopDeliveryP50US float64 `json:"top_delivery_p50_us"`
	TopDeliveryP99US float64 `json:"top_delivery_p99_us"`
	TopDeliveryMaxUS float64 `json:"top_delivery_max_us"`
	// FanoutSeconds: from the first post to the last delivery done.
	FanoutSeconds float64 `json:"fanout_seconds"`
	// PostErrors are fan-outs that failed (the server keeps their outbox
	// event and delivers again); PostError is the first one's message.
	PostErrors   int     `json:"post_errors"`
	PostError    string  `json:"post_error,omitempty"`
	CPUUSPerPost float64 `json:"cpu_us_per_post"`
	Inserts      int64   `json:"timeline_inserts"`
	InsertsPerS  float64 `json:"timeline_inserts_per_s"`
	WriteAmp     float64 `json:"write_amplification"` // timeline inserts per post
	RawZaddPerS  float64 `json:"raw_zadd_per_s,omitempty"`
	// RawZaddBeforePerS, RawZaddAfterPerS: the runs RawZaddPerS averages.
	RawZaddBeforePerS float64 `json:"raw_zadd_before_per_s,omitempty"`
	RawZaddAfterPerS  float64 `json:"raw_zadd_after_per_s,omitempty"`
	FanoutShare       float64 `json:"fanout_share_of_raw_zadd,omitempty"`
	// RedisCPUUSPerInsert and RawZaddRedisCPUUS are Redis's own CPU time
	// (INFO cpu, user + system) per timeline insert of the posts and per
	// ZADD of the raw runs: steadier than the rates on a shared machine,
	// and they tell Redis's work from the client's and the network's.
	RedisCPUUSPerInsert float64 `json:"redis_cpu_us_per_insert,omitempty"`
	RawZaddRedisCPUUS   float64 `json:"raw_zadd_redis_cpu_us,omitempty"`
	// TopInsertsPerS, TopFanoutShare: the same over the top authors' posts
	// only, whose large fan-outs keep the delivery workers busy (the rate
	// of many small fan-outs is bound by round trips, not by Redis).
	TopInsertsPerS float64 `json:"top_timeline_inserts_per_s,omitempty"`
	TopFanoutShare float64 `json:"top_fanout_share_of_raw_zadd,omitempty"`
	HomeReads      int     `json:"home_reads"`
	ReadP50US      float64 `json:"read_p50_us"`
	ReadP99US      float64 `json:"read_p99_us"`
	CPUUSPerRead   float64 `json:"cpu_us_per_read"`
	Timelines      int     `json:"timelines"`
	Entries        int64   `json:"entries"`
	BytesPerEntry  float64 `json:"bytes_per_entry"` // measured: Go heap or Redis used_memory growth per cached ID
	// CostPerPostUS is the hybrid sweep's figure: post cost plus
	// --reads-per-post home reads (mean wall time each).
	CostPerPostUS float64 `json:"cost_per_post_us,omitempty"`
	Seconds       float64 `json:"seconds"`
	provenance
}

type feedOptions struct {
	strategies   []string
	threshold    int
	sweep        []int
	cap          int
	seedStatuses int
	posts        int
	topAuthors   int
	topPosts     int
	reads        int
	built        int
	clients      int
	readsPerPost int
	workers      int
	inline       int
	rdb          *redis.Client
	redisAddr    string
	redisDB      int
	zaddRequests int
	seed         uint64
}

func runFeed(e *env, args []string) error {
	if len(args) > 0 && args[0] == "store" {
		return runFeedStore(e, args[1:]) // the timeline store alone (feedstore.go)
	}
	fs := flag.NewFlagSet("feed", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	graphs := fs.String("graphs", "github,powerlaw", "graphs to run: github (github-social-graph) and/or powerlaw (generated)")
	edges := fs.String("github-edges", "../shared/data/github-social-graph/edges.csv", "github-social-graph edges.csv")
	users := fs.Int("users", 100000, "accounts of the power-law graph (plus one followed by all of them)")
	meanFollows := fs.Int("mean-follows", 20, "mean follows per account in the power-law graph")
	strategies := fs.String("strategies", "pull,push,hybrid", "strategies to run")
	threshold := fs.Int("celebrity-threshold", 10000, "hybrid: authors with this many followers are merged at read")
	sweep := fs.String("sweep", "100,1000,10000,1000000000", "hybrid thresholds for the crossover sweep (in-process store; empty: none)")
	capFlag := fs.Int("timeline-cap", 800, "IDs per cached timeline")
	seedStatuses := fs.Int("seed-statuses", 50000, "statuses by random authors before the timed phases")
	posts := fs.Int("posts", 2000, "timed posts by random authors")
	topAuthors := fs.Int("top-authors", 3, "most followed authors that also post")
	topPosts := fs.Int("top-posts", 20, "timed posts by each top author")
	reads := fs.Int("reads", 2000, "timed home reads (limit 20) by random built accounts")
	built := fs.Int("built", 20000, "accounts whose home is built (read once) before posting: the active users")
	clients := fs.Int("clients", 2, "concurrent posters and readers")
	readsPerPost := fs.Int("reads-per-post", 10, "home reads per post weighting the hybrid crossover")
	workers := fs.Int("delivery-workers", 4, "goroutines delivering posts after their acknowledgement (the server's --delivery-workers)")
	inline := fs.Int("inline-audience", 100, "authors with at most this many followers are fanned out before the acknowledgement (the server's --inline-audience)")
	zaddRequests := fs.Int("raw-zadd-requests", 200000, "requests of the redis-benchmark ZADD run")
	redisURL := fs.String("redis", "", "also run on Redis at this URL (one you started; keys under starling-bench-feed:)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench feed [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	o := feedOptions{cap: *capFlag, threshold: *threshold, seedStatuses: *seedStatuses, posts: *posts,
		topAuthors: *topAuthors, topPosts: *topPosts, reads: *reads, built: *built, clients: *clients,
		readsPerPost: *readsPerPost, zaddRequests: *zaddRequests, seed: 1, workers: *workers, inline: *inline}
	if err := checkRanges(
		intRange{"--users", *users, 2, 2_000_000}, intRange{"--mean-follows", *meanFollows, 1, 1000},
		intRange{"--celebrity-threshold", *threshold, 1, 1 << 30}, intRange{"--timeline-cap", *capFlag, 20, 100000},
		intRange{"--seed-statuses", *seedStatuses, 0, 10_000_000}, intRange{"--posts", *posts, 1, 1_000_000},
		intRange{"--top-authors", *topAuthors, 0, 100}, intRange{"--top-posts", *topPosts, 0, 10000},
		intRange{"--reads", *reads, 1, 1_000_000}, intRange{"--built", *built, 0, 2_000_000},
		intRange{"--clients", *clients, 1, 64}, intRange{"--delivery-workers", *workers, 1, 256},
		intRange{"--inline-audience", *inline, 0, 1 << 30}, intRange{"--raw-zadd-requests", *zaddRequests, 1000, 100_000_000},
		intRange{"--reads-per-post", *readsPerPost, 0, 10000},
	); err != nil {
		return err
	}
	for _, s := range strings.Split(*strategies, ",") {
		if s != feed.StrategyPull && s != feed.StrategyPush && s != feed.StrategyHybrid {
			return usagef("--strategies: %q is not pull, push or hybrid", s)
		}
		o.strategies = append(o.strategies, s)
	}
	if *sweep != "" {
		for _, s := range strings.Split(*sweep, ",") {
			t, err := strconv.Atoi(s)
			if err != nil || t < 1 {
				return usagef("--sweep: %q is not a positive threshold", s)
			}
			o.sweep = append(o.sweep, t)
		}
	}
	if *redisURL != "" {
		if err := o.connectRedis(*redisURL); err != nil {
			return err
		}
		defer o.rdb.Close()
	}
	ctx := context.Background()
	prov := newProvenance(e.command)
	for _, name := range strings.Split(*graphs, ",") {
		var g *followGraph
		var err error
		switch name {
		case "github":
			g, err = loadGithubGraph(*edges)
		case "powerlaw":
			g = powerLawGraph(*users, *meanFollows, o.seed)
		default:
			return usagef("--graphs: %q is not github or powerlaw", name)
		}
		if err != nil {
			return usageError{err}
		}
		if err := o.runGraph(ctx, e.stdout, name, g, prov); err != nil {
			return err
		}
	}
	return nil
}

// intRange is an integer flag and the values it may take.
type intRange struct {
	name      string
	v, lo, hi int
}

// checkRanges refuses (usage error) the first flag out of its range.
func checkRanges(rs ...intRange) error {
	for _, r := range rs {
		if r.v < r.lo || r.v > r.hi {
			return usagef("%s %d: want %d to %d", r.name, r.v, r.lo, r.hi)
		}
	}
	return nil
}

// connectRedis connects to the Redis at url (one the engineer started)
// and checks it answers.
func (o *feedOptions) connectRedis(url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return usagef("--redis: %v", err)
	}
	o.rdb, o.redisAddr, o.redisDB = redis.NewClient(opt), opt.Addr, opt.DB
	if err := o.rdb.Ping(context.Background()).Err(); err != nil {
		o.rdb.Close()
		return fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return nil
}

// runGraph runs every strategy x store, then the hybrid sweep, on g.
func (o feedOptions) runGraph(ctx context.Context, w io.Writer, name string, g *followGraph, prov provenance) error {
	stores := []string{"memory"}
	if o.rdb != nil {
		stores = append(stores, "redis")
	}
	type run struct {
		bench, strategy, store string
		threshold              int
	}
	var runs []run
	for _, st := range stores {
		for _, s := range o.strategies {
			t := 0
			if s == feed.StrategyHybrid {
				t = o.threshold
			}
			runs = append(runs, run{"feed", s, st, t})
		}
	}
	for _, t := range o.sweep {
		runs = append(runs, run{"feed-crossover", feed.StrategyHybrid, "memory", t})
	}
	for _, r := range runs {
		res, err := o.measure(ctx, g, r.strategy, r.store, r.threshold)
		if err != nil {
			return fmt.Errorf("%s %s on %s: %w", r.strategy, r.store, name, err)
		}
		res.Bench, res.Graph, res.provenance = r.bench, name, prov
		if r.bench == "feed-crossover" {
			res.CostPerPostUS = res.meanPostUS + float64(o.readsPerPost)*res.meanReadUS
		}
		if err := emit(w, res.feedResult); err != nil {
			return err
		}
	}
	return nil
}

type measured struct {
	feedResult
	meanPostUS, meanReadUS float64
}

// measure runs one strategy over one timeline store on g, from a fresh
// graph store seeded with the same statuses.
func (o feedOptions) measure(ctx context.Context, g *followGraph, strategy, storeName string, threshold int) (*measured, error) {
	begin := time.Now()
	r := rand.New(rand.NewPCG(o.seed, 11))
	gs := newGraphStore(g)
	var nextID atomic.Int64
	nextID.Store(1 << 40)
	post := func(author int64) *store.Status {
		st := &store.Status{ID: nextID.Add(1), AccountID: author, Visibility: store.VisibilityPublic}
		gs.add(st)
		return st
	}
	n := g.accounts()
	for range o.seedStatuses {
		post(int64(r.IntN(n)) + 1)
	}
	res := &measured{feedResult: feedResult{Engine: "starling", Accounts: n, Follows: g.edges(), Strategy: strategy,
		Store: storeName, Threshold: threshold, Cap: o.cap, SeedStatuses: o.seedStatuses,
		DeliveryWorkers: o.workers, InlineAudience: o.inline}}
	top := g.byFollowers()
	res.MaxFollowers = len(g.followers[top[0]])

	var strat feed.Strategy
	var mem *feed.Memory
	var rtl *feed.Redis
	prefix := fmt.Sprintf("starling-bench-feed:%d:", os.Getpid())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	switch {
	case strategy == feed.StrategyPull:
		strat = feed.NewPull(gs)
	case storeName == "memory":
		mem = feed.NewMemory(o.cap, 16<<30)
		strat = feed.NewCached(gs, mem, threshold, log)
	default:
		rtl = feed.NewRedis(o.rdb, prefix, o.cap, 24*time.Hour)
		defer cleanRedis(context.WithoutCancel(ctx), o.rdb, prefix)
		if err := rtl.Adopt(ctx, fmt.Sprintf("%s:%d", strategy, threshold)); err != nil {
			return nil, err
		}
		strat = feed.NewCached(gs, rtl, threshold, log)
	}

	// Build the active accounts' homes: their first read rebuilds.
	builtIDs := make([]int64, 0, min(o.built, n))
	for _, i := range r.Perm(n)[:min(o.built, n)] {
		builtIDs = append(builtIDs, int64(i)+1)
	}
	memBefore := o.memoryInUse(ctx, storeName)
	h, secs, _, err := o.parallel(builtIDs, func(id int64) error {
		_, err := strat.Home(ctx, id, store.Page{Limit: 20})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	if strategy != feed.StrategyPull {
		res.Rebuilt, res.RebuildSeconds = len(builtIDs), secs
		res.RebuildP50US, res.RebuildP99US = us(h.quantile(0.5)), us(h.quantile(0.99))
	}
	if strategy != feed.StrategyPull {
		memAfter := o.memoryInUse(ctx, storeName)
		res.Timelines, res.Entries = o.countEntries(ctx, mem, rtl, builtIDs)
		if res.Entries > 0 {
			res.BytesPerEntry = float64(memAfter-memBefore) / float64(res.Entries)
		}
	}

	// Posts: random authors, then the most followed ones. As the server
	// does after the commit (here: adding the status to the graph store),
	// an author with at most o.inline followers is fanned out before the
	// acknowledgement, any other is handed to a delivery worker.
	var fanned func() int64
	if c, ok := strat.(*feed.Cached); ok {
		fanned = c.Counters().FanoutTimelines.Load
	} else {
		fanned = func() int64 { return 0 }
	}
	inserts0 := fanned()
	var errMu sync.Mutex
	fanout := func(st *store.Status) {
		home := append(make([]int64, 0, 1+len(g.followers[st.AccountID])), st.AccountID)
		home = append(home, g.followers[st.AccountID]...)
		if err := strat.StatusAdded(ctx, st, home, nil); err != nil {
			// Counted, not fatal: a failed fan-out is the server's outbox's
			// to redeliver.
			errMu.Lock()
			if res.PostErrors++; res.PostError == "" {
				res.PostError = err.Error()
			}
			errMu.Unlock()
		}
	}
	authors := make([]int64, o.posts)
	for i := range authors {
		authors[i] = int64(r.IntN(n)) + 1
	}
	var tops []int64
	for i := range min(o.topAuthors, len(top)) {
		res.TopAuthors = append(res.TopAuthors, len(g.followers[top[i]]))
		for range o.topPosts {
			tops = append(tops, top[i])
		}
	}
	var rawBefore zaddRun
	redisCPU0 := time.Duration(0)
	if storeName == "redis" && strategy != feed.StrategyPull {
		if rawBefore, err = rawZaddRate(ctx, o.rdb, o.redisAddr, o.redisDB, o.zaddRequests); err != nil {
			return nil, err
		}
		if redisCPU0, err = redisCPU(ctx, o.rdb); err != nil {
			return nil, err
		}
	}
	cpu0 := cpuTime()
	fanStart := time.Now()
	h, hd, secs, total, err := o.postPhase(authors, g, post, fanout)
	if err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	insertsTop0 := fanned()
	ht, htd, secsTop, totalTop, err := o.postPhase(tops, g, post, fanout)
	if err != nil {
		return nil, fmt.Errorf("top posts: %w", err)
	}
	res.FanoutSeconds = time.Since(fanStart).Seconds()
	allPosts := len(authors) + len(tops)
	res.CPUUSPerPost = us(cpuTime()-cpu0) / float64(allPosts)
	res.Posts, res.PostP50US, res.PostP99US, res.PostMaxUS = len(authors), us(h.quantile(0.5)), us(h.quantile(0.99)), us(h.max)
	res.DeliveryP50US, res.DeliveryP99US = us(hd.quantile(0.5)), us(hd.quantile(0.99))
	res.TopPosts = len(tops)
	if len(tops) > 0 {
		res.TopPostP50US, res.TopPostP99US, res.TopPostMaxUS = us(ht.quantile(0.5)), us(ht.quantile(0.99)), us(ht.max)
		res.TopDeliveryP50US, res.TopDeliveryP99US, res.TopDeliveryMaxUS = us(htd.quantile(0.5)), us(htd.quantile(0.99)), us(htd.max)
	}
	res.Inserts = fanned() - inserts0
	if secsTop > 0 {
		res.TopInsertsPerS = float64(fanned()-insertsTop0) / secsTop
	}
	res.WriteAmp = float64(res.Inserts) / float64(allPosts)
	if res.Inserts > 0 {
		res.InsertsPerS = float64(res.Inserts) / (secs + secsTop)
	}
	res.meanPostUS = us(total+totalTop) / float64(allPosts)
	if storeName == "redis" && strategy != feed.StrategyPull {
		redisCPU1, err := redisCPU(ctx, o.rdb)
		if err != nil {
			return nil, err
		}
		if res.Inserts > 0 {
			res.RedisCPUUSPerInsert = us(redisCPU1-redisCPU0) / float64(res.Inserts)
		}
		after, err := rawZaddRate(ctx, o.rdb, o.redisAddr, o.redisDB, o.zaddRequests)
		if err != nil {
			return nil, err
		}
		// The mean of the runs just before and just after the posts: on a
		// shared machine the ceiling drifts within minutes.
		res.RawZaddBeforePerS, res.RawZaddAfterPerS = rawBefore.perS, after.perS
		res.RawZaddPerS = (rawBefore.perS + after.perS) / 2
		res.RawZaddRedisCPUUS = (rawBefore.redisCPUUS + after.redisCPUUS) / 2
		res.FanoutShare = res.InsertsPerS / res.RawZaddPerS
		res.TopFanoutShare = res.TopInsertsPerS / res.RawZaddPerS
	}

	// Home reads by random active accounts (limit 20).
	readers := make([]int64, o.reads)
	for i := range readers {
		readers[i] = builtIDs[r.IntN(len(builtIDs))]
	}
	cpu0 = cpuTime()
	h, _, total, err = o.parallel(readers, func(id int64) error {
		_, err := strat.Home(ctx, id, store.Page{Limit: 20})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reads: %w", err)
	}
	res.CPUUSPerRead = us(cpuTime()-cpu0) / float64(len(readers))
	res.HomeReads, res.ReadP50US, res.ReadP99US = len(readers), us(h.quantile(0.5)), us(h.quantile(0.99))
	res.meanReadUS = us(total) / float64(len(readers))
	res.Seconds = time.Since(begin).Seconds()
	return res, nil
}

// postPhase posts once by each of authors from o.clients goroutines and
// returns the acknowledgement and delivery latency histograms, the wall
// time until the last delivery and the summed acknowledgement latencies.
// Deliveries of authors over o.inline followers run on o.workers
// goroutines (a queue as long as the phase: the server's, when full,
// leaves a status to the outbox relay instead).
func (o feedOptions) postPhase(authors []int64, g *followGraph, post func(int64) *store.Status,
	fanout func(*store.Status)) (ack, delivery *histogram, wall float64, sum time.Duration, err error) {
	type job struct {
		st     *store.Status
		queued time.Time
	}
	jobs := make(chan job, len(authors))
	hs := make([]histogram, o.workers+1) // per worker; the last for inline deliveries
	var wg sync.WaitGroup
	for w := range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fanout(j.st)
				hs[w].record(time.Since(j.queued))
			}
		}()
	}
	var inlineMu sync.Mutex
	start := time.Now()
	ack, _, sum, err = o.parallel(authors, func(author int64) error {
		t := time.Now()
		st := post(author) // the commit
		if len(g.followers[author]) > o.inline {
			jobs <- job{st, t}
			return nil
		}
		fanout(st)
		d := time.Since(t)
		inlineMu.Lock()
		hs[o.workers].record(d)
		inlineMu.Unlock()
		return nil
	})
	close(jobs)
	wg.Wait()
	wall = time.Since(start).Seconds()
	if err != nil {
		return nil, nil, 0, 0, err
	}
	delivery = &histogram{}
	for i := range hs {
		delivery.merge(&hs[i])
	}
	return ack, delivery, wall, sum, nil
}

// parallel calls fn on every id from o.clients goroutines and returns the
// latency histogram, the wall time and the summed latencies; the first
// error stops it.
func (o feedOptions) parallel(ids []int64, fn func(int64) error) (*histogram, float64, time.Duration, error) {
	var next atomic.Int64
	hs := make([]histogram, o.clients)
	sums := make([]time.Duration, o.clients)
	errs := make([]error, o.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(ids)) || errs[c] != nil {
					return
				}
				t := time.Now()
				errs[c] = fn(ids[i])
				d := time.Since(t)
				hs[c].record(d)
				sums[c] += d
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start).Seconds()
	var h histogram
	var sum time.Duration
	for c := range hs {
		h.merge(&hs[c])
		sum += sums[c]
	}
	for _, err := range errs {
		if err != nil {
			return nil, 0, 0, err
		}
	}
	return &h, wall, sum, nil
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// memoryInUse is the Go heap after a collection (in-process store) or
// Redis's used_memory.
func (o feedOptions) memoryInUse(ctx context.Context, storeName string) int64 {
	if storeName == "redis" {
		info, err := o.rdb.InfoMap(ctx, "memory").Result()
		if err != nil {
			return 0
		}
		n, _ := strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
		return n
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// countEntries counts the cached timelines and IDs: the in-process store's
// own count, or the built homes' sizes in Redis.
func (o feedOptions) countEntries(ctx context.Context, mem *feed.Memory, rtl *feed.Redis, ids []int64) (int, int64) {
	if mem != nil {
		s := mem.Stats()
		return s.Timelines, s.Entries
	}
	sizes, err := rtl.Sizes(ctx, feed.HomeKeys(ids))
	if err != nil {
		return 0, 0
	}
	var tls int
	var n int64
	for _, size := range sizes {
		if size > 0 {
			tls++
			n += size
		}
	}
	return tls, n
}

// cleanRedis deletes the bench's keys. A scan can end early (a timeout
// while Redis frees a big batch), so it scans again until one finds none.
func cleanRedis(ctx context.Context, rdb *redis.Client, prefix string) {
	for range 10 {
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var batch []string
		found := 0
		for iter.Next(ctx) {
			found++
			if batch = append(batch, iter.Val()); len(batch) == 1000 {
				rdb.Unlink(ctx, batch...)
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			rdb.Unlink(ctx, batch...)
		}
		if found == 0 && iter.Err() == nil {
			return
		}
	}
}

// zaddRun is one redis-benchmark ZADD run: its rate, and Redis's CPU time
// per ZADD over it.
type zaddRun struct {
	perS       float64
	redisCPUUS float64
}

// rawZaddRate runs redis-benchmark's pipelined ZADD (-P 16) against the
// same Redis and database: the ceiling fan-out is compared with. Its key
// (myzset) is deleted afterwards.
func rawZaddRate(ctx context.Context, rdb *redis.Client, addr string, db, requests int) (zaddRun, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return zaddRun{}, err
	}
	cpu0, err := redisCPU(ctx, rdb)
	if err != nil {
		return zaddRun{}, err
	}
	out, err := exec.CommandContext(ctx, "redis-benchmark", "-h", host, "-p", port, "--dbnum", strconv.Itoa(db),
		"-P", "16", "-t", "zadd", "-n", strconv.Itoa(requests), "-r", "100000", "--csv").Output()
	if err != nil {
		return zaddRun{}, fmt.Errorf("redis-benchmark: %w", err)
	}
	cpu1, err := redisCPU(ctx, rdb)
	rdb.Del(context.WithoutCancel(ctx), "myzset")
	if err != nil {
		return zaddRun{}, err
	}
	cr := csv.NewReader(strings.NewReader(string(out)))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return zaddRun{}, fmt.Errorf("redis-benchmark output %q: %w", out, err)
	}
	for _, row := range rows {
		if len(row) >= 2 && row[0] == "ZADD" {
			perS, err := strconv.ParseFloat(row[1], 64)
			return zaddRun{perS, us(cpu1-cpu0) / float64(requests)}, err
		}
	}
	return zaddRun{}, fmt.Errorf("redis-benchmark output %q: no ZADD row", out)
}

// redisCPU is the CPU time Redis has used since it started (INFO cpu:
// used_cpu_user + used_cpu_sys, every thread of the process).
func redisCPU(ctx context.Context, rdb *redis.Client) (time.Duration, error) {
	info, err := rdb.InfoMap(ctx, "cpu").Result()
	if err != nil {
		return 0, fmt.Errorf("redis INFO cpu: %w", err)
	}
	var sum float64
	for _, name := range []string{"used_cpu_user", "used_cpu_sys"} {
		value, ok := info["CPU"][name]
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, fmt.Errorf("redis INFO cpu %s:%s: %w", name, value, err)
		}
		sum += f
	}
	return time.Duration(sum * float64(time.Second)), nil
}
