package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// searchRoutes: search (under /api/v2).
func (h *Handler) searchRoutes(r chi.Router) {
	r.With(h.optionalUser("read:search")).Get("/search", h.search) // GET /api/v2/search
}

type searchRequest struct {
	Q         string `param:"q"`
	Type      string `param:"type"`
	Limit     string `param:"limit"`
	Offset    int    `param:"offset"`
	Following bool   `param:"following"`
	AccountID string `param:"account_id"`
	Resolve   bool   `param:"resolve"`
}

// searchResults is Mastodon's Search entity.
type searchResults struct {
	Accounts []*Account `json:"accounts"`
	Statuses []*Status  `json:"statuses"`
	Hashtags []*Hashtag `json:"hashtags"`
}

// search handles GET /api/v2/search: limit (default 20, at most 40) and
// offset apply per type.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	in, err := parseSearch(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	res, err := h.svc.Search(r.Context(), v, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := searchResults{Accounts: h.accounts(res.Accounts), Hashtags: h.hashtags(res.Tags)}
	if out.Statuses, err = h.statuses(r.Context(), v, res.Statuses); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func parseSearch(r *http.Request) (social.SearchInput, error) {
	var req searchRequest
	if err := decodeParams(r, &req); err != nil {
		return social.SearchInput{}, err
	}
	in := social.SearchInput{Query: req.Q, Type: req.Type, Offset: req.Offset, Following: req.Following, Resolve: req.Resolve}
	var err error
	if in.Limit, err = parseLimit(req.Limit, defaultLimit, maxLimit); err != nil {
		return in, err
	}
	if err := checkOffset(req.Offset); err != nil {
		return in, err
	}
	if req.AccountID != "" {
		if in.AccountID, err = parseID("account_id", req.AccountID); err != nil {
			return in, err
		}
	}
	return in, nil
}
