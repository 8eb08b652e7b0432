package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// tag handles GET /api/v1/tags/:id, where the ID is the tag's name. A
// well-formed name nobody used yet answers with an empty history, as in
// Mastodon; a malformed one is a 404.
func (h *Handler) tag(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.GetTag(r.Context(), viewer(r.Context()), chi.URLParam(r, "name"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.hashtag(t))
}
