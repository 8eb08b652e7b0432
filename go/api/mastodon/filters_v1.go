package mastodon

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
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
	render(h, w, r, h.svc.V1Filters, func(fs []social.V1Filter) []V1Filter {
		out := make([]V1Filter, len(fs))
		for i, f := range fs {
			out[i] = v1FilterEntity(f)
		}
		return out
	})
}

// getV1Filter handles GET /api/v1/filters/:id.
func (h *Handler) getV1Filter(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.V1Filter, v1FilterEntity)
}

// createV1Filter handles POST /api/v1/filters.
func (h *Handler) createV1Filter(w http.ResponseWriter, r *http.Request) {
	render(h, w, r, func(ctx context.Context, v *store.Account) (social.V1Filter, error) {
		in, err := decodeInput(r, v1FilterRequest.input)
		if err != nil {
			return social.V1Filter{}, err
		}
		return h.svc.CreateV1Filter(ctx, v, in)
	}, v1FilterEntity)
}

// updateV1Filter handles PUT /api/v1/filters/:id.
func (h *Handler) updateV1Filter(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (social.V1Filter, error) {
		in, err := decodeInput(r, v1FilterRequest.input)
		if err != nil {
			return social.V1Filter{}, err
		}
		return h.svc.UpdateV1Filter(ctx, v, id, in)
	}, v1FilterEntity)
}

// deleteV1Filter handles DELETE /api/v1/filters/:id; it answers {}.
func (h *Handler) deleteV1Filter(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteV1Filter)
}
