package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starling-social/starling/go/api"
	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/media"
	"github.com/starling-social/starling/go/presence"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/tracing"
)

// envPrefix names the environment variables that mirror every flag:
// --data-dir is STARLING_DATA_DIR. A flag given on the command line wins.
const envPrefix = "STARLING_"

// storageConfig is what every subcommand that touches data takes.
type storageConfig struct {
	dataDir    string
	db         string
	sqliteSync string
}

func (c *storageConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dataDir, "data-dir", "./data", "directory for the SQLite database and other state")
	fs.StringVar(&c.db, "db", "", "database: a postgres:// URL, or a SQLite file path (default <data-dir>/starling.db)")
	fs.StringVar(&c.sqliteSync, "sqlite-sync", "full", "SQLite durability: full (every acknowledged write survives a power loss) "+
		"or normal (faster; a power loss or OS crash may lose the last writes); not used with PostgreSQL")
}

// readCacheOn resolves --read-cache: auto turns it on for SQLite only,
// the single-process database (readcache's versions live in one process).
func (c *serveConfig) readCacheOn() bool {
	return c.readCache == "on" || c.readCache == "auto" && !c.storage.isPostgres()
}

// isPostgres reports whether db names a PostgreSQL server.
func (c *storageConfig) isPostgres() bool {
	return strings.HasPrefix(c.db, "postgres://") || strings.HasPrefix(c.db, "postgresql://")
}

// sqlitePath is the SQLite file to open.
func (c *storageConfig) sqlitePath() string {
	if c.db != "" {
		return c.db
	}
	return filepath.Join(c.dataDir, "starling.db")
}

// serveConfig is the server's configuration.
type serveConfig struct {
	storage         storageConfig
	addr            string
	adminAddr       string
	adminToken      string
	publicURL       string
	redis           string
	redisCluster    bool
	redisChannel    string
	plugins         string
	pluginsWatch    time.Duration
	registrations   bool
	maxChars        int
	bodyLimit       int64
	logFormat       string
	logLevel        string
	shutdownTimeout time.Duration

	mediaDir       string
	mediaURL       string
	mediaMaxBytes  int64
	mediaMaxPixels int64

	instanceTitle       string
	instanceDescription string
	instanceEmail       string
	instanceThumbnail   string
	instanceRules       string
	instanceExtended    string
	rateLimit           int
	rateLimitWindow     time.Duration
	rateLimitAuth       int
	rateLimitApps       int
	trustedProxies      string
	schedulerInterval   time.Duration
	schedulerLease      time.Duration
	requestTimeout      time.Duration
	recommendEvery      time.Duration // For-you recommender retraining period
	recommendMax        int           // interactions it trains on, newest first
	statusCacheBytes    int64
	readCache           string // auto, on or off

	streamMaxConnections           int
	streamMaxConnectionsPerIP      int
	streamMaxConnectionsPerAccount int
	streamMaxSubscriptions         int
	streamSubscribeRate            float64

	otlpEndpoint     string
	traceSampleRatio float64

	index           indexConfig
	feed            feed.Config
	timelineMiB     int64
	inactiveDays    int
	feedRedisPrefix string
	deliveryWorkers int
	inlineAudience  int

	presenceTTL         time.Duration
	presenceRedisPrefix string
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	c.storage.register(fs)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "public listen address (Mastodon API, /healthz, /readyz)")
	fs.StringVar(&c.adminAddr, "admin-addr", "127.0.0.1:8081", "admin listen address (pprof, metrics, plugins); empty disables it")
	fs.StringVar(&c.adminToken, "admin-token", "", "admin bearer token (default: generated once and kept in <data-dir>/admin_token)")
	fs.StringVar(&c.publicURL, "public-url", "", "public base URL used in links (default http://<addr>)")
	fs.StringVar(&c.redis, "redis", "", "Redis URL (redis://host:port/db); optional: shared streaming, rate limits; checked by /readyz")
	fs.BoolVar(&c.redisCluster, "redis-cluster", false, "--redis names a Redis Cluster: one node's URL, more with ?addr=host:port&addr=…; the others are discovered")
	fs.StringVar(&c.redisChannel, "redis-channel", "starling:streaming", "Redis pub/sub channel for streaming events; give each Starling deployment sharing a Redis its own")
	fs.StringVar(&c.plugins, "plugins", autoManifest, `policy plugin manifest; "auto" is <data-dir>/plugins.json if it exists, else the bundled one; empty runs without plugins`)
	fs.DurationVar(&c.pluginsWatch, "plugins-watch", 2*time.Second, "how often to check the plugin manifest for changes and apply them; 0 disables the watcher")
	fs.BoolVar(&c.registrations, "registrations", true, "allow sign-up through POST /api/v1/accounts")
	fs.IntVar(&c.maxChars, "max-chars", 500, "maximum characters per status")
	fs.Int64Var(&c.bodyLimit, "body-limit", 1<<20, "maximum request body size in bytes")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to drain requests on SIGINT/SIGTERM")
	fs.StringVar(&c.instanceTitle, "instance-title", "Starling", "instance name shown by /api/v1/instance and /api/v2/instance")
	fs.StringVar(&c.instanceDescription, "instance-description", "A Starling social server", "instance description (plain text)")
	fs.StringVar(&c.instanceEmail, "instance-email", "", "administrators' contact e-mail shown by the instance endpoints")
	fs.StringVar(&c.instanceThumbnail, "instance-thumbnail", "", "absolute URL of the instance's banner image")
	fs.StringVar(&c.instanceRules, "instance-rules", "", "file of the instance's rules, one per line (an indented line below a rule is its hint); none by default")
	fs.StringVar(&c.instanceExtended, "instance-extended-description", "", "file of the instance's extended description (plain text); none by default")
	fs.IntVar(&c.rateLimit, "rate-limit", 300, "API requests allowed per window per account (or per IP without a valid user token); 0 disables rate limiting")
	fs.DurationVar(&c.rateLimitWindow, "rate-limit-window", 5*time.Minute, "rate-limit window")
	fs.IntVar(&c.rateLimitAuth, "rate-limit-auth", 25, "sign-in and sign-up requests allowed per window per IP; 0 disables this rule")
	fs.IntVar(&c.rateLimitApps, "rate-limit-apps", 25, "app registrations (POST /api/v1/apps) allowed per window per IP; 0 disables this rule")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For names the client IP (default: trust none)")
	fs.Int64Var(&c.statusCacheBytes, "status-cache-bytes", mastodon.DefaultStatusCacheBytes, "memory budget of the cache of rendered statuses (validated against the rows of every read, so never stale); 0 disables it")
	fs.StringVar(&c.readCache, "read-cache", "auto", "keep the rows of hot reads (tokens, accounts, statuses, the viewer's relations, flags and filters) in memory, invalidated by this process's writes: on, off, or auto (on with SQLite, off with PostgreSQL, where other server processes may write)")
	fs.DurationVar(&c.recommendEvery, "recommend-every", 10*time.Minute, "how often the For-you recommender retrains on the newest favourites and boosts (in the background)")
	fs.IntVar(&c.recommendMax, "recommend-max-interactions", 200000, "how many of the newest favourites and boosts the For-you recommender trains on (bounds its time and memory)")
	fs.DurationVar(&c.requestTimeout, "request-timeout", 10*time.Second, "deadline for each API request's work, database queries included (503 beyond); 0 disables it; the streaming endpoint is exempt")
	fs.StringVar(&c.otlpEndpoint, "otlp-endpoint", "", "OpenTelemetry collector URL for traces over OTLP/HTTP (http://host:4318); empty turns tracing off")
	fs.Float64Var(&c.traceSampleRatio, "trace-sample-ratio", 1, "share of new traces recorded when --otlp-endpoint is set (0 to 1); a request with a sampled traceparent is always traced")
	fs.StringVar(&c.mediaDir, "media-dir", "", "directory of uploaded media files (default <data-dir>/media)")
	fs.StringVar(&c.mediaURL, "media-url", "", "base URL clients fetch uploaded files from, for a CDN or proxy in front (default <public-url>/system/media, served by Starling)")
	fs.Int64Var(&c.mediaMaxBytes, "media-max-bytes", media.DefaultMaxBytes, "largest image upload in bytes")
	fs.Int64Var(&c.mediaMaxPixels, "media-max-pixels", media.DefaultMaxPixels, "largest image upload in pixels (width × height, read before decoding)")
	fs.DurationVar(&c.schedulerInterval, "scheduler-interval", 5*time.Second, "how often each process looks for scheduled statuses due")
	fs.DurationVar(&c.schedulerLease, "scheduler-lease", social.ScheduledLease, "how long a process has to publish the scheduled statuses it claimed before another process may claim them (after a crash)")
	c.index.register(fs)
	fd := feed.DefaultConfig()
	fs.StringVar(&c.feed.Strategy, "feed-strategy", fd.Strategy, "home timelines: pull (read SQL per request), push (fan-out on write into cached timelines) "+
		"or hybrid (push, but statuses of authors with --celebrity-threshold followers or more are merged at read time)")
	fs.IntVar(&c.feed.CelebrityThreshold, "celebrity-threshold", fd.CelebrityThreshold, "hybrid: followers from which an author's statuses are merged at read time instead of fanned out")
	fs.IntVar(&c.feed.Cap, "timeline-cap", fd.Cap, "push and hybrid: status IDs kept per cached timeline; older pages are read from SQL")
	fs.Int64Var(&c.timelineMiB, "timeline-memory", fd.MemoryBytes>>20, "push and hybrid: MiB the in-process timeline cache may hold (least recently read timelines are dropped beyond it)")
	fs.StringVar(&c.feedRedisPrefix, "feed-redis-prefix", "starling:feed:", "with --redis: key prefix of the cached timelines; processes serving one instance share it")
	fs.IntVar(&c.deliveryWorkers, "delivery-workers", 4, "goroutines delivering committed statuses (timeline fan-out, streaming, search index) after the post is acknowledged; 0 delivers on the request")
	fs.IntVar(&c.inlineAudience, "inline-audience", 100, "with --delivery-workers: a status whose author has at most this many followers is delivered before the post is acknowledged (its readers see it at once); larger audiences after")
	fs.IntVar(&c.inactiveDays, "inactive-days", 7, "with --redis: a cached timeline not read for this many days expires; fan-out skips it until its owner's next read rebuilds it from SQL")
	fs.DurationVar(&c.presenceTTL, "presence-ttl", presence.DefaultTTL, "how long a heartbeat (POST /api/v1/starling/presence/heartbeat) keeps an account online; an open streaming connection renews it")
	fs.StringVar(&c.presenceRedisPrefix, "presence-redis-prefix", "starling:presence:", "with --redis: key prefix of the presence marks (one key per online account, SET … EX); processes serving one instance share it")
	d := mastodon.DefaultStreamLimits()
	fs.IntVar(&c.streamMaxConnections, "stream-max-connections", d.Connections, "open streaming connections per server process")
	fs.IntVar(&c.streamMaxConnectionsPerIP, "stream-max-connections-per-ip", d.ConnectionsPerIP, "open streaming connections per client IP (IPv6: per /64) per server process")
	fs.IntVar(&c.streamMaxConnectionsPerAccount, "stream-max-connections-per-account", d.ConnectionsPerAccount, "open streaming connections per account per server process")
	fs.IntVar(&c.streamMaxSubscriptions, "stream-max-subscriptions", d.Subscriptions, "streams one streaming connection may subscribe to")
	fs.Float64Var(&c.streamSubscribeRate, "stream-subscribe-rate", d.SubscribeRate, "messages per second a streaming connection may send, after a burst of twice --stream-max-subscriptions")
}

// streamLimits are the streaming caps the flags set.
func (c *serveConfig) streamLimits() mastodon.StreamLimits {
	return mastodon.StreamLimits{Connections: c.streamMaxConnections, ConnectionsPerIP: c.streamMaxConnectionsPerIP,
		ConnectionsPerAccount: c.streamMaxConnectionsPerAccount, Subscriptions: c.streamMaxSubscriptions,
		SubscribeRate: c.streamSubscribeRate}
}

// tracing is the tracing configuration the flags set.
func (c *serveConfig) tracing() tracing.Config {
	return tracing.Config{Endpoint: c.otlpEndpoint, SampleRatio: c.traceSampleRatio, ServiceName: "starling", Version: version}
}

// parseFlags parses args into fs, taking defaults from STARLING_* variables
// first, so the precedence is flag > environment > built-in default.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

func (c *serveConfig) validate() error {
	if c.maxChars <= 0 {
		return fmt.Errorf("--max-chars must be positive, got %d", c.maxChars)
	}
	if c.bodyLimit <= 0 {
		return fmt.Errorf("--body-limit must be positive, got %d", c.bodyLimit)
	}
	if c.mediaMaxBytes <= 0 || c.mediaMaxPixels <= 0 {
		return fmt.Errorf("--media-max-bytes and --media-max-pixels must be positive, got %d and %d", c.mediaMaxBytes, c.mediaMaxPixels)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, got %q", c.logFormat)
	}
	if _, err := parseLevel(c.logLevel); err != nil {
		return err
	}
	if c.rateLimit < 0 || c.rateLimitAuth < 0 || c.rateLimitApps < 0 {
		return fmt.Errorf("--rate-limit, --rate-limit-auth and --rate-limit-apps must not be negative, got %d, %d and %d",
			c.rateLimit, c.rateLimitAuth, c.rateLimitApps)
	}
	if c.rateLimit > 0 && c.rateLimitWindow <= 0 {
		return fmt.Errorf("--rate-limit-window must be positive, got %s", c.rateLimitWindow)
	}
	if c.statusCacheBytes < 0 {
		return fmt.Errorf("--status-cache-bytes must not be negative, got %d", c.statusCacheBytes)
	}
	if c.readCache != "auto" && c.readCache != "on" && c.readCache != "off" {
		return fmt.Errorf("--read-cache must be auto, on or off, got %q", c.readCache)
	}
	if c.schedulerInterval <= 0 || c.schedulerLease <= 0 {
		return fmt.Errorf("--scheduler-interval and --scheduler-lease must be positive, got %s and %s", c.schedulerInterval, c.schedulerLease)
	}
	if c.recommendEvery <= 0 || c.recommendMax <= 0 || c.recommendMax > 5000000 {
		return fmt.Errorf("--recommend-every must be positive and --recommend-max-interactions in 1..5000000")
	}
	if c.presenceTTL < time.Second || c.presenceTTL > time.Hour {
		return fmt.Errorf("--presence-ttl must be between 1s and 1h, got %s", c.presenceTTL)
	}
	if c.requestTimeout < 0 {
		return fmt.Errorf("--request-timeout must not be negative, got %s", c.requestTimeout)
	}
	if c.streamMaxConnections <= 0 || c.streamMaxConnectionsPerIP <= 0 || c.streamMaxConnectionsPerAccount <= 0 ||
		c.streamMaxSubscriptions <= 0 || !(c.streamSubscribeRate > 0) || math.IsInf(c.streamSubscribeRate, 1) {
		return fmt.Errorf("--stream-max-connections, --stream-max-connections-per-ip, --stream-max-connections-per-account, " +
			"--stream-max-subscriptions and --stream-subscribe-rate must be positive and finite")
	}
	c.index.dataDir = c.storage.dataDir
	if err := c.index.validate(); err != nil {
		return err
	}
	if _, err := api.ParseTrustedProxies(c.trustedProxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if err := c.tracing().Validate(); err != nil {
		return fmt.Errorf("--otlp-endpoint, --trace-sample-ratio: %w", err)
	}
	if c.timelineMiB < 1 || c.timelineMiB > 1<<20 {
		return fmt.Errorf("--timeline-memory must be 1 to %d MiB, got %d", 1<<20, c.timelineMiB)
	}
	c.feed.MemoryBytes = c.timelineMiB << 20
	if c.inactiveDays < 1 || c.inactiveDays > 3650 {
		return fmt.Errorf("--inactive-days must be 1 to 3650, got %d", c.inactiveDays)
	}
	if c.deliveryWorkers < 0 || c.deliveryWorkers > 256 {
		return fmt.Errorf("--delivery-workers must be 0 to 256, got %d", c.deliveryWorkers)
	}
	if c.inlineAudience < 0 || c.inlineAudience > feed.PushLimit {
		return fmt.Errorf("--inline-audience must be 0 to %d, got %d", feed.PushLimit, c.inlineAudience)
	}
	if err := c.feed.Validate(); err != nil {
		return fmt.Errorf("--feed-strategy, --celebrity-threshold, --timeline-cap: %w", err)
	}
	if strings.TrimSpace(c.instanceTitle) == "" {
		return fmt.Errorf("--instance-title must not be empty")
	}
	return nil
}

// envName is the variable that sets a flag, for help output.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// usage prints a flag set with the environment variable beside each flag.
func usage(fs *flag.FlagSet, synopsis string) func() {
	return func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: %s\n\nflags (each also settable by its environment variable):\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(out, "  --%-18s %-28s %s (default %s)\n", f.Name, envName(f.Name), f.Usage, def)
		})
	}
}
