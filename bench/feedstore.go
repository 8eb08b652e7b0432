package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/store"
)

// feedStoreResult is one JSON line of `feed store`: the timeline store
// alone (no strategy, no graph, no SQL), at the scale of an instance's
// users. Documented in bench/README.md.
type feedStoreResult struct {
	Engine    string `json:"engine"`
	Bench     string `json:"bench"` // feed-store
	Store     string `json:"store"` // memory or redis
	Timelines int    `json:"timelines"`
	// EntriesPerTimeline are the IDs each timeline is built with.
	EntriesPerTimeline int   `json:"entries_per_timeline"`
	Cap                int   `json:"cap"`
	Entries            int64 `json:"entries"`
	// Build: BeginBuild + InstallBuild of every timeline (a rebuild from
	// SQL, without the SQL).
	BuildSeconds     float64 `json:"build_seconds"`
	BuildsPerS       float64 `json:"builds_per_s"`
	BuildP50US       float64 `json:"build_p50_us"`
	BuildP99US       float64 `json:"build_p99_us"`
	BytesPerEntry    float64 `json:"bytes_per_entry"`    // Go heap or Redis used_memory growth per ID, per-timeline overhead included
	BytesPerTimeline float64 `json:"bytes_per_timeline"` // the same growth per timeline
	// Fan-out: Add of one new ID to --fanout random timelines per post.
	Posts       int     `json:"posts"`
	Fanout      int     `json:"fanout"`
	PostP50US   float64 `json:"post_p50_us"`
	PostP99US   float64 `json:"post_p99_us"`
	InsertsPerS float64 `json:"timeline_inserts_per_s"`
	RawZaddPerS float64 `json:"raw_zadd_per_s,omitempty"`
	FanoutShare float64 `json:"fanout_share_of_raw_zadd,omitempty"`
	// Reads: a first page (limit 20) of random timelines.
	Reads     int     `json:"reads"`
	ReadP50US float64 `json:"read_p50_us"`
	ReadP99US float64 `json:"read_p99_us"`
	Seconds   float64 `json:"seconds"`
	provenance
}

type feedStoreOptions struct {
	feedOptions
	users, entries, fanout int
}

// runFeedStore is `starling-bench feed store`: the 1M-user run of the
// timeline store alone.
func runFeedStore(e *env, args []string) error {
	fs := flag.NewFlagSet("feed store", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	users := fs.Int("users", 1000000, "timelines (one per user)")
	entries := fs.Int("entries", 20, "IDs each timeline is built with")
	capFlag := fs.Int("timeline-cap", 800, "IDs per timeline")
	posts := fs.Int("posts", 2000, "timed fan-outs")
	fanout := fs.Int("fanout", 1000, "random timelines each fan-out writes to")
	reads := fs.Int("reads", 20000, "timed first-page reads of random timelines")
	clients := fs.Int("clients", 2, "concurrent builders, posters and readers")
	stores := fs.String("stores", "memory", "stores to run: memory and/or redis (needs --redis)")
	zaddRequests := fs.Int("raw-zadd-requests", 200000, "requests of the redis-benchmark ZADD run")
	redisURL := fs.String("redis", "", "Redis at this URL (one you started; keys under starling-bench-feed:)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench feed store [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := checkRanges(
		intRange{"--users", *users, 1, 10_000_000}, intRange{"--entries", *entries, 0, 100000},
		intRange{"--timeline-cap", *capFlag, 20, 100000}, intRange{"--posts", *posts, 1, 1_000_000},
		intRange{"--fanout", *fanout, 1, 1_000_000}, intRange{"--reads", *reads, 1, 10_000_000},
		intRange{"--clients", *clients, 1, 64}, intRange{"--raw-zadd-requests", *zaddRequests, 1000, 100_000_000},
	); err != nil {
		return err
	}
	o := feedStoreOptions{feedOptions: feedOptions{cap: *capFlag, posts: *posts, reads: *reads, clients: *clients,
		zaddRequests: *zaddRequests, seed: 1}, users: *users, entries: *entries, fanout: min(*fanout, *users)}
	var names []string
	for _, s := range strings.Split(*stores, ",") {
		switch {
		case s != "memory" && s != "redis":
			return usagef("--stores: %q is not memory or redis", s)
		case s == "redis" && *redisURL == "":
			return usagef("--stores redis needs --redis")
		}
		names = append(names, s)
	}
	if *redisURL != "" {
		if err := o.connectRedis(*redisURL); err != nil {
			return err
		}
		defer o.rdb.Close()
	}
	prov := newProvenance(e.command)
	for _, name := range names {
		res, err := o.measureStore(context.Background(), name)
		if err != nil {
			return fmt.Errorf("feed store %s: %w", name, err)
		}
		res.provenance = prov
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// measureStore builds o.users timelines in one store, then fans out and
// reads.
func (o feedStoreOptions) measureStore(ctx context.Context, name string) (*feedStoreResult, error) {
	begin := time.Now()
	res := &feedStoreResult{Engine: "starling", Bench: "feed-store", Store: name, Timelines: o.users,
		EntriesPerTimeline: o.entries, Cap: o.cap}
	var tl feed.Timelines
	var mem *feed.Memory
	var rtl *feed.Redis
	prefix := fmt.Sprintf("starling-bench-feed:%d:", os.Getpid())
	if name == "memory" {
		mem = feed.NewMemory(o.cap, 1<<40) // no eviction: every timeline stays
		tl = mem
	} else {
		rtl = feed.NewRedis(o.rdb, prefix, o.cap, 24*time.Hour)
		defer cleanRedis(context.WithoutCancel(ctx), o.rdb, prefix)
		if err := rtl.Adopt(ctx, "bench"); err != nil {
			return nil, err
		}
		tl = rtl
	}
	ids := make([]int64, o.users)
	for i := range ids {
		ids[i] = int64(i) + 1
	}
	// Status IDs: each timeline gets o.entries of a shared range, as
	// followers of the same authors do, newest first.
	const base = int64(1) << 40
	memBefore := o.memoryInUse(ctx, name)
	h, secs, _, err := o.parallel(ids, func(id int64) error {
		k := feed.HomeKey(id)
		gen, err := tl.BeginBuild(ctx, k)
		if err != nil {
			return err
		}
		entries := make([]int64, o.entries)
		for j := range entries {
			entries[j] = base + int64(o.entries-j)*1000 + id%1000
		}
		return tl.InstallBuild(ctx, k, gen, 0, entries, true)
	})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	memAfter := o.memoryInUse(ctx, name)
	res.BuildSeconds, res.BuildsPerS = secs, float64(o.users)/secs
	res.BuildP50US, res.BuildP99US = us(h.quantile(0.5)), us(h.quantile(0.99))
	if mem != nil {
		res.Entries = mem.Stats().Entries
	} else {
		res.Entries = int64(o.users) * int64(min(o.entries, o.cap))
		// Check a sample holds what was installed.
		sizes, err := rtl.Sizes(ctx, feed.HomeKeys(ids[:min(100, len(ids))]))
		if err != nil {
			return nil, err
		}
		for i, n := range sizes {
			if n != int64(min(o.entries, o.cap)) {
				return nil, fmt.Errorf("timeline %d holds %d IDs after its build, want %d", ids[i], n, min(o.entries, o.cap))
			}
		}
	}
	if res.Entries > 0 {
		res.BytesPerEntry = float64(memAfter-memBefore) / float64(res.Entries)
	}
	res.BytesPerTimeline = float64(memAfter-memBefore) / float64(o.users)

	r := rand.New(rand.NewPCG(o.seed, 12))
	posts := make([]int64, o.posts)
	keys := make([][]feed.Key, o.posts)
	for i := range posts {
		posts[i] = int64(i)
		keys[i] = make([]feed.Key, o.fanout)
		for j := range keys[i] {
			keys[i][j] = feed.HomeKey(int64(r.IntN(o.users)) + 1)
		}
	}
	next := base + int64(o.entries+1)*1000
	h, secs, _, err = o.parallel(posts, func(i int64) error {
		_, err := tl.Add(ctx, keys[i], next+i)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fan-out: %w", err)
	}
	res.Posts, res.Fanout = o.posts, o.fanout
	res.PostP50US, res.PostP99US = us(h.quantile(0.5)), us(h.quantile(0.99))
	res.InsertsPerS = float64(o.posts*o.fanout) / secs
	if name == "redis" {
		raw, err := rawZaddRate(ctx, o.rdb, o.redisAddr, o.redisDB, o.zaddRequests)
		if err != nil {
			return nil, err
		}
		res.RawZaddPerS = raw.perS
		res.FanoutShare = res.InsertsPerS / res.RawZaddPerS
	}

	readers := make([]int64, o.reads)
	for i := range readers {
		readers[i] = int64(r.IntN(o.users)) + 1
	}
	h, _, _, err = o.parallel(readers, func(id int64) error {
		got, state, err := tl.Page(ctx, feed.HomeKey(id), 0, store.Page{Limit: 20})
		if err == nil && (state != feed.Hit || len(got) == 0 && o.entries > 0) {
			err = fmt.Errorf("timeline %d: %d IDs, state %v after its build", id, len(got), state)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reads: %w", err)
	}
	res.Reads, res.ReadP50US, res.ReadP99US = o.reads, us(h.quantile(0.5)), us(h.quantile(0.99))
	res.Seconds = time.Since(begin).Seconds()
	return res, nil
}
