package mastodon

import (
	"net/http"

	"github.com/starling-social/starling/go/social"
)

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

// verifyAppCredentials handles GET /api/v1/apps/verify_credentials: the
// token's app, without its client credentials. Any valid token will do,
// user or app-only, whatever its scopes (Mastodon requires none).
func (h *Handler) verifyAppCredentials(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	app, err := h.svc.SessionApp(r.Context(), sess)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, application(app))
}
