package mastodon

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// Handler serves the Mastodon client API.
type Handler struct {
	svc     *social.Service
	log     *slog.Logger
	baseURL string // public URL, no trailing slash; used in links and entity URLs
	version string
}

// Options configure a Handler.
type Options struct {
	// BaseURL is the server's public URL (e.g. https://social.example).
	BaseURL string
	// Version is reported by the instance endpoint.
	Version string
	Logger  *slog.Logger
}

// New returns the API handler for svc.
func New(svc *social.Service, opts Options) *Handler {
	return &Handler{svc: svc, log: logger(opts.Logger), baseURL: strings.TrimRight(opts.BaseURL, "/"), version: opts.Version}
}

// Routes attaches the Mastodon API to r. The table reads as the API's
// contents: one line per endpoint, middleware scoped to the route.
func (h *Handler) Routes(r chi.Router) {
	r.NotFound(notFoundHandler)
	r.MethodNotAllowed(methodNotAllowed)

	r.Post("/oauth/token", h.oauthToken)   // OAuth: obtain a token
	r.Post("/oauth/revoke", h.oauthRevoke) // OAuth: revoke a token

	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/instance", h.instance) // GET /api/v1/instance

		r.Post("/apps", h.createApp) // POST /api/v1/apps

		r.With(h.requireApp("write:accounts")).Post("/accounts", h.registerAccount)                     // POST /api/v1/accounts
		r.With(h.requireUser("read:accounts")).Get("/accounts/verify_credentials", h.verifyCredentials) // GET /api/v1/accounts/verify_credentials
		r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}", h.getAccount)                     // GET /api/v1/accounts/:id
		r.With(h.requireUser("write:follows")).Post("/accounts/{id}/follow", h.followAccount)           // POST /api/v1/accounts/:id/follow
		r.With(h.requireUser("write:follows")).Post("/accounts/{id}/unfollow", h.unfollowAccount)       // POST /api/v1/accounts/:id/unfollow

		r.With(h.requireUser("write:statuses")).Post("/statuses", h.createStatus)  // POST /api/v1/statuses
		r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}", h.getStatus) // GET /api/v1/statuses/:id

		r.With(h.requireUser("read:statuses")).Get("/timelines/home", h.homeTimeline) // GET /api/v1/timelines/home
	})

	r.Route("/api/v2", func(r chi.Router) {
		r.With(h.optionalUser("read:search")).Get("/search", h.search) // GET /api/v2/search
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
