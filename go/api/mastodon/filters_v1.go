package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// filterV1Routes: content filters, the v1 view (under /api/v1).
func (h *Handler) filterV1Routes(r chi.Router) {
	r.With(h.requireUser("read:filters")).Get("/filters", h.listV1Filters)           // GET /api/v1/filters
	r.With(h.requireUser("write:filters")).Post("/filters", h.createV1Filter)        // POST /api/v1/filters
	r.With(h.requireUser("read:filters")).Get("/filters/{id}", h.getV1Filter)        // GET /api/v1/filters/:id
	r.With(h.requireUser("write:filters")).Put("/filters/{id}", h.updateV1Filter)    // PUT /api/v1/filters/:id
	r.With(h.requireUser("write:filters")).Delete("/filters/{id}", h.deleteV1Filter) // DELETE /api/v1/filters/:id
}

type v1FilterRequest struct {
	Phrase       *string  `param:"phrase"`
	Context      []string `param:"context"`
	Irreversible *bool    `param:"irreversible"`
	WholeWord    *bool    `param:"whole_word"`
	ExpiresIn    *string  `param:"expires_in"`
}

func (req v1FilterRequest) input() (social.V1FilterInput, error) {
	in := social.V1FilterInput{Phrase: req.Phrase, Context: req.Context, Irreversible: req.Irreversible, WholeWord: req.WholeWord}
	var err error
	in.ExpiresIn, err = parseExpiresIn(req.ExpiresIn)
	return in, err
}

// listV1Filters handles GET /api/v1/filters: every keyword of every filter.
func (h *Handler) listV1Filters(w http.ResponseWriter, r *http.Request) {
	fs, err := h.svc.V1Filters(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]V1Filter, len(fs))
	for i, f := range fs {
		out[i] = v1FilterEntity(f)
	}
	writeJSON(w, http.StatusOK, out)
}

// getV1Filter handles GET /api/v1/filters/:id.
func (h *Handler) getV1Filter(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := h.svc.V1Filter(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v1FilterEntity(f))
}

// createV1Filter handles POST /api/v1/filters.
func (h *Handler) createV1Filter(w http.ResponseWriter, r *http.Request) {
	var req v1FilterRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in, err := req.input()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := h.svc.CreateV1Filter(r.Context(), viewer(r.Context()), in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v1FilterEntity(f))
}

// updateV1Filter handles PUT /api/v1/filters/:id.
func (h *Handler) updateV1Filter(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req v1FilterRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in, err := req.input()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := h.svc.UpdateV1Filter(r.Context(), viewer(r.Context()), id, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v1FilterEntity(f))
}

// deleteV1Filter handles DELETE /api/v1/filters/:id; it answers {}.
func (h *Handler) deleteV1Filter(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteV1Filter)
}
