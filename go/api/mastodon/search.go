package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/store"
)

// searchRoutes: search (under /api/v2).
func (h *Handler) searchRoutes(r chi.Router) {
	r.With(h.optionalUser("read:search")).Get("/search", h.search) // GET /api/v2/search
}

type searchRequest struct {
	Q      string `param:"q"`
	Type   string `param:"type"`
	Limit  string `param:"limit"`
	Offset int    `param:"offset"`
}

// searchResults is Mastodon's Search entity.
type searchResults struct {
	Accounts []*Account `json:"accounts"`
	Statuses []*Status  `json:"statuses"`
	Hashtags []struct{} `json:"hashtags"`
}

// search handles GET /api/v2/search. Statuses are found by vector
// similarity; account and hashtag search arrive with the full social API, so
// those lists are empty for now. Like Mastodon, status search needs a login.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.Offset < 0 {
		h.writeError(w, r, badRequest("Parameter offset must not be negative"))
		return
	}
	res := searchResults{Accounts: []*Account{}, Statuses: []*Status{}, Hashtags: []struct{}{}}
	v := viewer(r.Context())
	if v != nil && (req.Type == "" || req.Type == "statuses") {
		var sts []*store.Status
		sts, err = h.svc.SearchStatuses(r.Context(), v, req.Q, page.Limit, req.Offset)
		if err == nil {
			res.Statuses, err = h.statuses(r.Context(), v, sts)
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, res)
}
