package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/api/mastodon"
)

// Check is one readiness dependency (the database, Redis).
type Check struct {
	Name string
	Ping func(ctx context.Context) error
	// Optional marks a dependency the server still serves without, in a
	// degraded mode (Redis: timelines read from SQL, streaming within this
	// process, rate limits open, presence unavailable). Its failure makes
	// /readyz answer 200 with "status":"degraded", not 503: every process
	// shares the one Redis, and taking them all out of a load balancer
	// would turn a degraded service into none.
	Optional bool
}

// Options configure the public router.
type Options struct {
	Mastodon *mastodon.Handler
	Logger   *slog.Logger
	// Registry receives the HTTP metrics. It is not served here: /metrics
	// is on the admin listener (package api/admin), behind its token.
	Registry *prometheus.Registry
	// Checks must all pass, but the Optional ones, for /readyz to answer
	// 200.
	Checks []Check
	// BodyLimit caps every request body, in bytes, but uploads'.
	BodyLimit int64
	// UploadLimit caps the body of an upload (mastodon.IsUpload), in
	// bytes; below BodyLimit, BodyLimit applies.
	UploadLimit int64
	// ReadyTimeout bounds each readiness check.
	ReadyTimeout time.Duration
	// RateLimit limits /api and /oauth requests; the zero value (Limit 0)
	// disables it.
	RateLimit RateLimit
	// RequestTimeout bounds each request's work, database queries
	// included (see deadline); zero sets no bound.
	RequestTimeout time.Duration
}

// NewRouter returns the public handler. It panics on a missing Mastodon
// handler or registry, or an invalid rate limit: wiring errors surface at
// start, not per request.
func NewRouter(o Options) http.Handler {
	if o.Mastodon == nil || o.Registry == nil {
		panic("api.NewRouter: Mastodon and Registry are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = 1 << 20
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 2 * time.Second
	}
	limiter, err := newRateLimiter(o.RateLimit, o.Logger, mastodon.AccountID)
	if err != nil {
		panic("api.NewRouter: " + err.Error())
	}
	r := chi.NewRouter()
	// recoverer sits inside accessLog and metrics so a panic is logged and
	// counted as the 500 it becomes, not lost from the error rate. cors
	// answers preflights before the limiter, so they are never counted.
	// The deadline comes before the first database or Redis call
	// (Identify's token lookup, the limiter's count); Identify resolves the
	// token before the limiter, which counts by account.
	r.Use(middleware.RequestID, traceRequests, exposeRequestID, accessLog(o.Logger),
		newMetrics(o.Registry).middleware, recoverer(o.Logger), cors, deadline(o.RequestTimeout, mastodon.LongLived),
		o.Mastodon.Identify, limiter.middleware, limitBody(o.BodyLimit, max(o.BodyLimit, o.UploadLimit)))

	r.Get("/healthz", healthz)
	r.Get("/readyz", readyz(o.Checks, o.ReadyTimeout, o.Logger))
	o.Mastodon.Routes(r)
	return r
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether every dependency answers, naming the ones that
// fail, and sums them up in "status": "ok"; "degraded" (still 200) when
// only Optional ones fail; "unavailable" (503) when a required one does.
// Anyone may call it, so a failure is answered as "error" alone: the
// internal error (addresses, driver messages) goes to the log.
func readyz(checks []Check, timeout time.Duration, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body := http.StatusOK, map[string]string{"status": "ok"}
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := c.Ping(ctx)
			cancel()
			if err != nil {
				log.WarnContext(r.Context(), "readiness check failed", "check", c.Name, "err", err,
					"request_id", middleware.GetReqID(r.Context()))
				body[c.Name] = "error"
				if !c.Optional {
					status, body["status"] = http.StatusServiceUnavailable, "unavailable"
				} else if status == http.StatusOK {
					body["status"] = "degraded"
				}
				continue
			}
			body[c.Name] = "ok"
		}
		writeJSON(w, status, body)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// exposeRequestID returns the request ID to the client, so a user's bug
// report can be matched to the server log.
func exposeRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", middleware.GetReqID(r.Context()))
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a handler panic into a logged 500 in Mastodon's shape.
// http.ErrAbortHandler is re-panicked: it is net/http's way to abort.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				rec := recover()
				if rec == nil {
					return
				}
				if rec == http.ErrAbortHandler {
					panic(rec)
				}
				log.ErrorContext(r.Context(), "panic serving request", "panic", rec,
					"request_id", middleware.GetReqID(r.Context()), "method", r.Method, "path", r.URL.Path,
					"stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Internal server error"})
			}()
			next.ServeHTTP(w, r)
		})
	}
}

func accessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r)
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", middleware.GetReqID(r.Context())),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", ww.Status()), slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", time.Since(start)))
		})
	}
}

// deadline gives each request's context a deadline d from now, so no
// request holds a database connection longer: both drivers cancel a query
// whose context ends (SQLite interrupts it, PostgreSQL cancels it on the
// server), a request waiting for a free connection gives up, and the
// client gets a 503 (mastodon's writeError). Requests for which longLived
// is true (the streaming WebSocket, which lasts as long as its
// connection) are left alone. d <= 0 sets no deadline.
func deadline(d time.Duration, longLived func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if longLived(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func limitBody(n, upload int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil {
				limit := n
				if mastodon.IsUpload(r) {
					limit = upload
				}
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			next.ServeHTTP(w, r)
		})
	}
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "starling_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "starling_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// middleware records by route pattern (not raw path), so IDs in URLs do not
// explode the label cardinality.
func (m *metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// accessLog, just outside, already wraps w: a second wrapper per
		// request would record the same status and size.
		ww, ok := w.(middleware.WrapResponseWriter)
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		start := time.Now()
		next.ServeHTTP(ww, r)
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		method := metricMethod(r.Method)
		m.requests.WithLabelValues(method, route, strconv.Itoa(ww.Status())).Inc()
		obs := m.duration.WithLabelValues(method, route)
		// A sampled request leaves its trace id as the bucket's exemplar, so
		// a slow bucket on a dashboard leads to a trace of one such request.
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsSampled() {
			obs.(prometheus.ExemplarObserver).ObserveWithExemplar(time.Since(start).Seconds(),
				prometheus.Labels{"trace_id": sc.TraceID().String()})
		} else {
			obs.Observe(time.Since(start).Seconds())
		}
	})
}

// metricMethod bounds the method label as the route label is bounded: a
// client may send any token as a method, and each would be a new series.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
