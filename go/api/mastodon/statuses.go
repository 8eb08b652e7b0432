package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// statusRoutes: statuses and what is done with them (under /api/v1).
func (h *Handler) statusRoutes(r chi.Router) {
	r.With(h.requireUser("write:statuses")).Post("/statuses", h.createStatus)  // POST /api/v1/statuses
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}", h.getStatus) // GET /api/v1/statuses/:id
}

// timelineRoutes: timelines (under /api/v1).
func (h *Handler) timelineRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/timelines/home", h.homeTimeline) // GET /api/v1/timelines/home
}

type createStatusRequest struct {
	Status      string `param:"status"`
	InReplyToID string `param:"in_reply_to_id"`
	Sensitive   bool   `param:"sensitive"`
	SpoilerText string `param:"spoiler_text"`
	Visibility  string `param:"visibility"`
	Language    string `param:"language"`
}

// createStatus handles POST /api/v1/statuses.
func (h *Handler) createStatus(w http.ResponseWriter, r *http.Request) {
	var req createStatusRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := social.StatusInput{
		Text: req.Status, Sensitive: req.Sensitive, SpoilerText: req.SpoilerText,
		Visibility: req.Visibility, Language: req.Language,
	}
	if req.InReplyToID != "" {
		id, err := parseID("in_reply_to_id", req.InReplyToID)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		in.InReplyToID = id
	}
	author := viewer(r.Context())
	st, err := h.svc.PostStatus(r.Context(), author, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.status(author, st, author))
}

// getStatus handles GET /api/v1/statuses/:id.
func (h *Handler) getStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	st, err := h.svc.GetStatus(r.Context(), v, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, v, []*store.Status{st}, false)
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
	if len(sts) > 0 {
		h.setLinkHeader(w, r, page, sts[0].ID, sts[len(sts)-1].ID)
	}
	h.writeStatuses(w, r, v, sts, true)
}

// writeStatuses hydrates and renders statuses, as a list or a single entity.
func (h *Handler) writeStatuses(w http.ResponseWriter, r *http.Request, v *store.Account, sts []*store.Status, list bool) {
	out, err := h.statuses(r.Context(), v, sts)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if list {
		writeJSON(w, http.StatusOK, out)
		return
	}
	if len(out) == 0 {
		notFoundHandler(w, r)
		return
	}
	writeJSON(w, http.StatusOK, out[0])
}
