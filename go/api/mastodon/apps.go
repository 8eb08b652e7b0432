package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// instanceRoutes: what clients call first (under /api/v1).
func (h *Handler) instanceRoutes(r chi.Router) {
	r.Get("/instance", h.instance) // GET /api/v1/instance
	r.Post("/apps", h.createApp)   // POST /api/v1/apps
}

type createAppRequest struct {
	ClientName   string `param:"client_name"`
	RedirectURIs string `param:"redirect_uris"`
	Scopes       string `param:"scopes"`
	Website      string `param:"website"`
}

// createApp handles POST /api/v1/apps.
func (h *Handler) createApp(w http.ResponseWriter, r *http.Request) {
	var req createAppRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	app, err := h.svc.CreateApp(r.Context(), social.AppInput{
		Name: req.ClientName, RedirectURIs: req.RedirectURIs, Scopes: req.Scopes, Website: req.Website,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, credentialApplication(app))
}

// instanceV1 is the part of Mastodon's v1 Instance entity clients read first.
type instanceV1 struct {
	URI              string         `json:"uri"`
	Title            string         `json:"title"`
	ShortDescription string         `json:"short_description"`
	Description      string         `json:"description"`
	Email            string         `json:"email"`
	Version          string         `json:"version"`
	URLs             map[string]any `json:"urls"`
	Stats            map[string]int `json:"stats"`
	Thumbnail        *string        `json:"thumbnail"`
	Languages        []string       `json:"languages"`
	Registrations    bool           `json:"registrations"`
	ApprovalRequired bool           `json:"approval_required"`
	InvitesEnabled   bool           `json:"invites_enabled"`
	Configuration    map[string]any `json:"configuration"`
	Rules            []struct{}     `json:"rules"`
}

// instance handles GET /api/v1/instance.
func (h *Handler) instance(w http.ResponseWriter, _ *http.Request) {
	cfg := h.svc.Config()
	writeJSON(w, http.StatusOK, instanceV1{
		URI: h.baseURL, Title: "Starling", ShortDescription: "A Starling social server",
		Description: "A Starling social server", Version: h.version,
		URLs: map[string]any{}, Stats: map[string]int{"user_count": 0, "status_count": 0, "domain_count": 0},
		Languages: []string{"en"}, Registrations: cfg.RegistrationsOpen,
		Configuration: map[string]any{
			"statuses": map[string]int{"max_characters": cfg.MaxStatusChars, "max_media_attachments": 0, "characters_reserved_per_url": 23},
			"accounts": map[string]int{"max_featured_tags": 0},
		},
		Rules: []struct{}{},
	})
}
