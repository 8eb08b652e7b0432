package mastodon

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// trendRoutes: trends and hashtags (under /api/v1). All are public; a
// token, when sent, lets trending statuses hide blocked and muted authors.
func (h *Handler) trendRoutes(r chi.Router) {
	r.Get("/trends", h.trendingTags)                                                    // GET /api/v1/trends (deprecated alias)
	r.Get("/trends/tags", h.trendingTags)                                               // GET /api/v1/trends/tags
	r.With(h.optionalUser("read:statuses")).Get("/trends/statuses", h.trendingStatuses) // GET /api/v1/trends/statuses
	r.Get("/tags/{name}", h.tag)                                                        // GET /api/v1/tags/:id
}

// Trend limits, from Mastodon's documentation.
const (
	defaultTrendTagLimit = 10
	maxTrendTagLimit     = 20
)

type trendRequest struct {
	Limit  string `param:"limit"`
	Offset int    `param:"offset"`
}

// parseTrendPage reads limit (default def, clamped to [1, maxN]) and offset.
func parseTrendPage(r *http.Request, def, maxN int) (limit, offset int, err error) {
	var req trendRequest
	if err := decodeParams(r, &req); err != nil {
		return 0, 0, err
	}
	if limit, err = parseLimit(req.Limit, def, maxN); err != nil {
		return 0, 0, err
	}
	if err := checkOffset(req.Offset); err != nil {
		return 0, 0, err
	}
	return limit, req.Offset, nil
}

// trendingTags handles GET /api/v1/trends/tags and its alias /api/v1/trends.
func (h *Handler) trendingTags(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := parseTrendPage(r, defaultTrendTagLimit, maxTrendTagLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tags, err := h.svc.TrendingTags(r.Context(), limit, offset)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.setOffsetLinkHeader(w, r, limit, offset, len(tags))
	writeJSON(w, http.StatusOK, h.hashtags(tags))
}

// trendingStatuses handles GET /api/v1/trends/statuses.
func (h *Handler) trendingStatuses(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := parseTrendPage(r, defaultLimit, maxLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.TrendingStatuses(r.Context(), v, limit, offset)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.statuses(r.Context(), v, sts)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.setOffsetLinkHeader(w, r, limit, offset, len(sts))
	writeJSON(w, http.StatusOK, out)
}

// setOffsetLinkHeader writes the Link header of an offset-paged list, as
// Mastodon's trends send it: "next" when the page was full, "prev" when it
// did not start at the top.
func (h *Handler) setOffsetLinkHeader(w http.ResponseWriter, r *http.Request, limit, offset, n int) {
	link := func(off int) string {
		return h.linkURL(r, url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(off)}})
	}
	var links []string
	if n >= limit {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, link(offset+limit)))
	}
	if offset > 0 {
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, link(max(offset-limit, 0))))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
}
