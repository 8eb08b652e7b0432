package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/api"
	"github.com/starling-social/starling/go/api/admin"
	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/internal/redisbreaker"
	"github.com/starling-social/starling/go/moderation"
	"github.com/starling-social/starling/go/presence"
	"github.com/starling-social/starling/go/ratelimit"
	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite"
	"github.com/starling-social/starling/go/streaming"
	"github.com/starling-social/starling/go/tracing"
)

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	c.register(fs)
	fs.Usage = usage(fs, "starling serve [flags]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	log := newLogger(stderr, c.logFormat, c.logLevel)
	slog.SetDefault(log)
	return serve(ctx, c, log)
}

// serve wires the parts together and runs until ctx is cancelled (SIGINT or
// SIGTERM), then drains requests for at most shutdownTimeout.
func serve(ctx context.Context, c serveConfig, log *slog.Logger) error {
	// The operator's files are read first: a bad one stops the start
	// before anything is opened.
	stopTracing, err := tracing.Setup(ctx, c.tracing())
	if err != nil {
		return err
	}
	defer func() {
		// Flush the last spans, however the server stopped.
		if err := stopTracing(context.WithoutCancel(ctx)); err != nil {
			log.Warn("tracing: flush at shutdown", "err", err)
		}
	}()
	rules, err := loadRules(c.instanceRules)
	if err != nil {
		return err
	}
	extended, extendedAt, err := loadExtendedDescription(c.instanceExtended)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c.storage)
	if err != nil {
		return err
	}
	defer st.Close()
	if sq, ok := st.(*sqlite.Store); ok {
		// Read back, so the log shows what the connections really run with.
		sync, err := sq.Synchronous(ctx)
		if err != nil {
			return err
		}
		log.Info("database opened", "driver", "sqlite", "path", c.storage.sqlitePath(), "synchronous", sync)
	}
	// One generator for the whole process: two would make the same IDs.
	ids, releaseIDs, err := newIDs(ctx, st, log)
	if err != nil {
		return err
	}
	defer releaseIDs()
	checks := []api.Check{{Name: "database", Ping: st.Ping}}
	raw := st // the backend itself, for its pool metrics
	if c.readCacheOn() {
		// Every component below writes through st, so every write bumps
		// the cache's versions.
		st = readcache.New(raw, 0)
	}
	log.Info("read cache", "on", c.readCacheOn())

	proxies, err := api.ParseTrustedProxies(c.trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	rateLimit := api.RateLimit{Limit: c.rateLimit, Window: c.rateLimitWindow, AuthLimit: c.rateLimitAuth,
		AppsLimit: c.rateLimitApps, TrustedProxies: proxies}

	// Without Redis, events stay within this process; with it, they reach
	// clients connected to any server process.
	var bus streaming.Bus = streaming.NewLocal(log)
	var rdb redis.UniversalClient
	if c.redis != "" {
		redis.SetLogger(redisLog{log})
		rdb, err = connectRedis(c.redis, c.redisCluster)
		if err != nil {
			return err
		}
		defer rdb.Close()
		// Optional: without Redis the server serves, degraded (see
		// api.Check), as the Redis-loss drill shows.
		checks = append(checks, api.Check{Name: "redis", Optional: true, Ping: func(ctx context.Context) error {
			return rdb.Ping(ctx).Err()
		}})
		// Several server processes share one Redis, so they share limits.
		rateLimit.Store = ratelimit.NewRedis(rdb, "starling:")
		bus = streaming.NewRedis(ctx, rdb, c.redisChannel, log)
	}
	defer bus.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	statusSearch, closeIndex, err := startStatusIndex(ctx, c.index, c.storage.dataDir, st, bus, embedderMetrics(reg), log)
	if err != nil {
		return err
	}
	defer closeIndex()

	host, closePlugins, err := startPlugins(ctx, resolveManifest(c.plugins, c.storage.dataDir), st, ids, reg, c.otlpEndpoint, log)
	if err != nil {
		return err
	}
	defer closePlugins()
	// A nil *policy.Host must not become a non-nil interface value.
	var (
		moderator social.Moderator
		ranker    social.Ranker
		pluginAPI admin.PluginHost
	)
	if host != nil {
		moderator, ranker, pluginAPI = moderation.Moderator{Host: host}, moderation.Moderator{Host: host}, host
		checks = append(checks, api.Check{Name: "plugins", Ping: host.Ready})
		if c.pluginsWatch > 0 {
			go host.Watch(ctx, c.pluginsWatch)
		}
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on --addr: %w", err)
	}
	publicURL := c.publicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	mediaLib, mediaOpts, err := openMedia(c)
	if err != nil {
		ln.Close()
		return err
	}
	var sharedTimelines *feed.Redis
	if rdb != nil {
		sharedTimelines = feed.NewRedis(rdb, c.feedRedisPrefix, c.feed.Cap, time.Duration(c.inactiveDays)*24*time.Hour)
	}
	home, err := feed.NewSwitch(ctx, st, c.feed, sharedTimelines, log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("home timelines: %w", err)
	}
	registerTimelineStoreHealth(reg, sharedTimelines)
	var marks presence.Store = presence.NewMemory()
	if rdb != nil {
		marks = presence.NewRedis(rdb, c.presenceRedisPrefix)
	}
	recs := &recommend.Live{}
	go recs.Run(ctx, c.recommendEvery, recommend.Options{}, recommenderLoad(st, c.recommendMax), log)
	svc := social.New(social.Deps{
		Store: st, IDs: ids, Moderator: moderator, Ranker: ranker, Indexer: statusSearch,
		Home: home, Searcher: statusSearch, TypeaheadMeaning: c.index.typeaheadMeaning(), Recommender: recs, Logger: log,
		Publisher: &mastodon.Publisher{Bus: bus, Log: log}, Media: mediaLib,
		Presence: presence.NewTracker(marks, c.presenceTTL),
	}, social.Config{MaxStatusChars: c.maxChars, RegistrationsOpen: c.registrations, BaseURL: publicURL, Rules: rules,
		ScheduledLease: c.schedulerLease, DeliveryWorkers: c.deliveryWorkers, InlineAudience: c.inlineAudience})
	mh := mastodon.New(svc, mastodon.Options{BaseURL: publicURL, Version: version, Logger: log,
		Instance: mastodon.InstanceInfo{Title: c.instanceTitle, Description: c.instanceDescription,
			Email: c.instanceEmail, Thumbnail: c.instanceThumbnail,
			ExtendedDescription: extended, ExtendedDescriptionUpdatedAt: extendedAt},
		Bus: bus, StreamLimits: c.streamLimits(), ClientKey: api.ClientKey(proxies),
		StatusCacheBytes: statusCacheBytes(c.statusCacheBytes), Media: mediaOpts})
	registerPoolMetrics(reg, raw)
	if rc, ok := st.(*readcache.Store); ok {
		registerReadCacheMetrics(reg, rc)
	}
	registerFeedMetrics(reg, home, st, svc)
	registerIndexMetrics(reg, statusSearch.Index)
	registerStreamMetrics(reg, mh.StreamStats)
	// Every process relays: an event left by a process that died is
	// delivered by whichever claims it after its lease. It stops after the
	// servers have drained and before the store closes.
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		svc.RunOutboxRelay(relayCtx, time.Second)
	}()
	defer func() { stopRelay(); <-relayDone }()
	// Every process runs the scheduler too: claims keep two from publishing
	// one status, and a crashed claimer's statuses are claimed again.
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		svc.RunScheduler(schedCtx, c.schedulerInterval)
	}()
	defer func() { stopSched(); <-schedDone }()
	handler := api.NewRouter(api.Options{
		Mastodon: mh, Logger: log, Registry: reg, Checks: checks, BodyLimit: c.bodyLimit, RateLimit: rateLimit,
		// Room for the multipart framing and the other fields beside the file.
		UploadLimit:    c.mediaMaxBytes + 1<<20,
		RequestTimeout: c.requestTimeout,
	})
	go pruneMedia(ctx, svc, log)
	servers := []*http.Server{newHTTPServer(handler, log)}
	listeners := []net.Listener{ln}
	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL)

	if c.adminAddr != "" {
		token, err := adminToken(c)
		if err != nil {
			ln.Close()
			return err
		}
		aln, err := net.Listen("tcp", c.adminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on --admin-addr: %w", err)
		}
		servers = append(servers, newHTTPServer(admin.NewRouter(admin.Options{Token: token, Registry: reg, Plugins: pluginAPI,
			Moderation: st, Reports: svc, Announcements: svc, Indexes: search.Indexes{"statuses": statusSearch.Index()}, Feed: home, Actions: svc,
			Accounts: svc, AccountRenderer: mh, Audit: svc, Logger: log}), log))
		listeners = append(listeners, aln)
		log.Info("admin listening", "addr", aln.Addr().String())
	}
	return runServers(ctx, servers, listeners, c.shutdownTimeout, log)
}

// connectRedis opens one Redis, or a Redis Cluster: every key Starling
// writes carries a hash tag, so the keys one command or script touches sit
// in one slot.
func connectRedis(url string, cluster bool) (redis.UniversalClient, error) {
	if cluster {
		opts, err := redis.ParseClusterURL(url)
		if err != nil {
			return nil, fmt.Errorf("--redis (--redis-cluster): %w", err)
		}
		if opts.DialerRetries == 0 { // not set by the URL's dialer_retries
			opts.DialerRetries = redisDialerRetries
		}
		c := redis.NewClusterClient(opts)
		// One breaker per node: a master that is down must not fail the
		// commands bound for the others.
		c.OnNewNode(func(node *redis.Client) { node.AddHook(redisbreaker.New(redisCooldown)) })
		return c, nil
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("--redis: %w", err)
	}
	opts.DialerRetries = redisDialerRetries
	c := redis.NewClient(opts)
	c.AddHook(redisbreaker.New(redisCooldown))
	return c, nil
}

// redisLog writes go-redis's own messages (a dial that failed, while
// Redis is down) to the server's log: printed on their own, they broke
// a JSON log (--log-format json) with lines of another format.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// redisCooldown is how long commands fail at once after one found Redis
// down, before one is sent to see whether it is back: while it is down, a
// post or a read waits for it once a second at most, not every time.
const redisCooldown = time.Second

// redisDialerRetries is how many dials make one connection attempt: one.
// go-redis's default (five dials 100 ms apart, inside each of a command's
// four attempts) made every command take seconds while Redis was down, and
// with them every post, whose fan-out and stream publish are Redis
// commands: the Redis loss drill had two posts acknowledged in a
// three-second outage. A command is still attempted four times.
const redisDialerRetries = 1

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// runServers serves until ctx ends or a server fails, then shuts all down.
func runServers(ctx context.Context, servers []*http.Server, listeners []net.Listener, drain time.Duration, log *slog.Logger) error {
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "drain", drain)
	case serveErr = <-errc:
		log.Error("server stopped", "err", serveErr)
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	var errs []error
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		errs = append(errs, serveErr)
	}
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	log.Info("stopped")
	return errors.Join(errs...)
}

// adminToken returns --admin-token, or the token kept in the data dir,
// creating it (mode 0600) on first start so the admin listener is never open.
func adminToken(c serveConfig) (string, error) {
	if c.adminToken != "" {
		return c.adminToken, nil
	}
	path := filepath.Join(c.storage.dataDir, "admin_token")
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			return tok, nil
		}
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
	tok := hex.EncodeToString(buf)
	if err := os.MkdirAll(c.storage.dataDir, 0o700); err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	slog.Info("generated admin token", "path", path)
	return tok, nil
}

// statusCacheBytes maps the flag (0 disables) onto mastodon.Options (where
// 0 takes the default and a negative budget disables).
func statusCacheBytes(flag int64) int64 {
	if flag == 0 {
		return -1
	}
	return flag
}

// recommenderLoad reads the recommender's training data: the newest limit
// favourites and boosts.
func recommenderLoad(st store.Store, limit int) func(context.Context) ([]recommend.Interaction, error) {
	return func(ctx context.Context) ([]recommend.Interaction, error) {
		rows, err := st.ListRecentInteractions(ctx, limit)
		if err != nil {
			return nil, fmt.Errorf("recommender: %w", err)
		}
		ints := make([]recommend.Interaction, len(rows))
		for i, r := range rows {
			ints[i] = recommend.Interaction{User: r.AccountID, Item: r.StatusID}
		}
		return ints, nil
	}
}
