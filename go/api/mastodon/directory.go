package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// directoryRoutes: the profile directory (under /api/v1).
func (h *Handler) directoryRoutes(r chi.Router) {
	r.With(h.optionalUser("read:accounts")).Get("/directory", h.directory) // GET /api/v1/directory
}

// The directory pages as Mastodon's: 40 accounts by default, 80 at most.
const (
	defaultDirectoryLimit = 40
	maxDirectoryLimit     = 80
)

type directoryRequest struct {
	Offset int    `param:"offset"`
	Limit  string `param:"limit"`
	Order  string `param:"order"`
	Local  bool   `param:"local"`
}

// directory handles GET /api/v1/directory.
func (h *Handler) directory(w http.ResponseWriter, r *http.Request) {
	var req directoryRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(req.Limit, defaultDirectoryLimit, maxDirectoryLimit)
	if err == nil {
		err = checkOffset(req.Offset)
	}
	if err == nil && req.Order != "" && req.Order != "active" && req.Order != "new" {
		err = &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: order must be active or new"}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	accts, err := h.svc.Directory(r.Context(), viewer(r.Context()),
		social.DirectoryInput{New: req.Order == "new", Limit: limit, Offset: req.Offset})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.accounts(accts))
}
