package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// timelineRoutes: timelines (under /api/v1).
func (h *Handler) timelineRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/timelines/home", h.homeTimeline)          // GET /api/v1/timelines/home
	r.With(h.optionalUser("read:statuses")).Get("/timelines/public", h.publicTimeline)     // GET /api/v1/timelines/public
	r.With(h.optionalUser("read:statuses")).Get("/timelines/tag/{hashtag}", h.tagTimeline) // GET /api/v1/timelines/tag/:hashtag
	r.With(h.requireUser("read:lists")).Get("/timelines/list/{list_id}", h.listTimeline)   // GET /api/v1/timelines/list/:list_id
}

// homeTimeline handles GET /api/v1/timelines/home.
func (h *Handler) homeTimeline(w http.ResponseWriter, r *http.Request) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.HomeTimeline(r.Context(), v, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatusPage(w, r, v, page, sts, social.FilterHome)
}

type publicTimelineRequest struct {
	Local     bool `param:"local"`
	Remote    bool `param:"remote"`
	OnlyMedia bool `param:"only_media"`
}

func (p publicTimelineRequest) filter() social.PublicFilter {
	return social.PublicFilter{Local: p.Local, Remote: p.Remote, OnlyMedia: p.OnlyMedia}
}

// publicTimeline handles GET /api/v1/timelines/public.
func (h *Handler) publicTimeline(w http.ResponseWriter, r *http.Request) {
	var req publicTimelineRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.PublicTimeline(r.Context(), v, req.filter(), page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatusPage(w, r, v, page, sts, social.FilterPublic)
}

type tagTimelineRequest struct {
	Local     bool     `param:"local"`
	Remote    bool     `param:"remote"`
	OnlyMedia bool     `param:"only_media"`
	Any       []string `param:"any"`
	All       []string `param:"all"`
	None      []string `param:"none"`
}

// tagTimeline handles GET /api/v1/timelines/tag/:hashtag.
func (h *Handler) tagTimeline(w http.ResponseWriter, r *http.Request) {
	var req tagTimelineRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	q := social.TagQuery{Tag: chi.URLParam(r, "hashtag"), Any: req.Any, All: req.All, None: req.None,
		PublicFilter: social.PublicFilter{Local: req.Local, Remote: req.Remote, OnlyMedia: req.OnlyMedia}}
	sts, err := h.svc.TagTimeline(r.Context(), v, q, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatusPage(w, r, v, page, sts, social.FilterPublic)
}

// listTimeline handles GET /api/v1/timelines/list/:list_id.
func (h *Handler) listTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := parseID("list_id", chi.URLParam(r, "list_id"))
	if err != nil {
		notFoundHandler(w, r)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.ListTimeline(r.Context(), v, id, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatusPage(w, r, v, page, sts, social.FilterHome)
}
