package mastodon

import "github.com/go-chi/chi/v5"

// profileRoutes: the profile's images (under /api/v1). Uploading an avatar
// or header is refused (422) until media storage exists, so every account
// shows the default images and deleting one leaves the profile as it is.
func (h *Handler) profileRoutes(r chi.Router) {
	r.With(h.requireUser("write:accounts")).Delete("/profile/avatar", h.verifyCredentials) // DELETE /api/v1/profile/avatar
	r.With(h.requireUser("write:accounts")).Delete("/profile/header", h.verifyCredentials) // DELETE /api/v1/profile/header
}
