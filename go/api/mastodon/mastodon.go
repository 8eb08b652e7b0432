package mastodon

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/streaming"
)

// Handler serves the Mastodon client API.
type Handler struct {
	svc     *social.Service
	log     *slog.Logger
	baseURL string // public URL, no trailing slash; used in links and entity URLs
	version string // Starling's own version
	info    InstanceInfo
	// Streaming: hub is nil when there is no bus (no streaming endpoint).
	hub          *streamHub
	streamConns  *connCounter
	streamLimits StreamLimits
	clientKey    func(*http.Request) string
	// statusCache holds rendered statuses; nil disables it.
	statusCache *statusCache
	media       MediaOptions
}

// Options configure a Handler.
type Options struct {
	// BaseURL is the server's public URL (e.g. https://social.example).
	BaseURL string
	// Version is Starling's version, reported after the Mastodon version
	// the API matches (instance endpoints) and in NodeInfo.
	Version string
	// Instance describes the server on the instance endpoints.
	Instance InstanceInfo
	Logger   *slog.Logger
	// Bus feeds the streaming endpoint; the same bus must receive the
	// domain's events (see Publisher).
	Bus streaming.Bus
	// StreamLimits cap streaming clients; zero fields take
	// DefaultStreamLimits' values.
	StreamLimits StreamLimits
	// ClientKey names a request's client for the per-address cap on
	// streaming connections: the API router's (api.ClientKey), which knows
	// the trusted proxies and counts IPv6 clients by /64, so both count
	// clients alike; nil takes the connection's address.
	ClientKey func(*http.Request) string
	// Media configures uploads; without Media.Files none are offered.
	Media MediaOptions
	// StatusCacheBytes is the memory budget of the rendered-status cache
	// (status_cache.go); zero takes DefaultStatusCacheBytes, a negative
	// value disables the cache.
	StatusCacheBytes int64
}

// New returns the API handler for svc.
func New(svc *social.Service, opts Options) *Handler {
	h := &Handler{svc: svc, log: logger(opts.Logger), baseURL: strings.TrimRight(opts.BaseURL, "/"),
		version: opts.Version, info: opts.Instance.withDefaults(),
		streamLimits: opts.StreamLimits.withDefaults(), clientKey: opts.ClientKey, media: opts.Media}
	cacheBytes := opts.StatusCacheBytes
	if cacheBytes == 0 {
		cacheBytes = DefaultStatusCacheBytes
	}
	h.statusCache = newStatusCache(cacheBytes)
	if h.media.URL == "" {
		h.media.URL = h.baseURL + mediaPath
	}
	h.media.URL = strings.TrimRight(h.media.URL, "/")
	if h.version == "" {
		h.version = "dev"
	}
	if h.info.Thumbnail == "" {
		h.info.Thumbnail = h.baseURL + thumbnailPath
	}
	if h.clientKey == nil {
		h.clientKey = remoteIP
	}
	if opts.Bus != nil {
		h.streamConns = newConnCounter(h.streamLimits)
		h.hub = newStreamHub(h, opts.Bus)
	}
	return h
}

// Routes attaches the Mastodon API to r. Each area's routes are one
// function in that area's file, so this reads as the API's contents and the
// route table of an area sits beside its handlers.
func (h *Handler) Routes(r chi.Router) {
	r.NotFound(notFoundHandler)
	r.MethodNotAllowed(methodNotAllowed)

	h.oauthRoutes(r)
	h.discoveryRoutes(r)
	h.imageRoutes(r)
	h.mediaFileRoutes(r)
	r.Route("/api/v1", func(r chi.Router) {
		h.instanceRoutes(r)
		h.accountRoutes(r)
		h.statusRoutes(r)
		h.timelineRoutes(r)
		h.notificationRoutes(r)
		h.listRoutes(r)
		h.forYouRoutes(r)
		h.streamingRoutes(r)
		h.trendRoutes(r)
		h.instancePageRoutes(r)
		h.settingsRoutes(r)
		h.tagFollowRoutes(r)
		h.reportRoutes(r)
		h.domainBlockRoutes(r)
		h.announcementRoutes(r)
		h.filterV1Routes(r)
		h.conversationRoutes(r)
		h.mediaRoutes(r)
		h.pollRoutes(r)
		h.scheduledStatusRoutes(r)
		h.directoryRoutes(r)
		h.presenceRoutes(r)
	})
	r.Route("/api/v2", func(r chi.Router) {
		h.instanceV2Routes(r)
		h.searchRoutes(r)
		h.suggestionRoutes(r)
		h.filterRoutes(r)
		h.mediaV2Routes(r)
		h.notificationV2Routes(r)
	})
}

// pathID reads the {id} URL parameter. A malformed ID names nothing, so it is
// a 404, as Mastodon answers.
func pathID(r *http.Request) (int64, error) {
	id, err := parseID("id", chi.URLParam(r, "id"))
	if err != nil {
		return 0, &requestError{status: http.StatusNotFound, msg: "Record not found"}
	}
	return id, nil
}
