package mastodon

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// filterRoutes: content filters, v2 (under /api/v2).
func (h *Handler) filterRoutes(r chi.Router) {
	r.With(h.requireUser("read:filters")).Get("/filters", h.listFilters)                           // GET /api/v2/filters
	r.With(h.requireUser("write:filters")).Post("/filters", h.createFilter)                        // POST /api/v2/filters
	r.With(h.requireUser("read:filters")).Get("/filters/{id}", h.getFilter)                        // GET /api/v2/filters/:id
	r.With(h.requireUser("write:filters")).Put("/filters/{id}", h.updateFilter)                    // PUT /api/v2/filters/:id
	r.With(h.requireUser("write:filters")).Delete("/filters/{id}", h.deleteFilter)                 // DELETE /api/v2/filters/:id
	r.With(h.requireUser("read:filters")).Get("/filters/{id}/keywords", h.listFilterKeywords)      // GET /api/v2/filters/:filter_id/keywords
	r.With(h.requireUser("write:filters")).Post("/filters/{id}/keywords", h.addFilterKeyword)      // POST /api/v2/filters/:filter_id/keywords
	r.With(h.requireUser("read:filters")).Get("/filters/keywords/{id}", h.getFilterKeyword)        // GET /api/v2/filters/keywords/:id
	r.With(h.requireUser("write:filters")).Put("/filters/keywords/{id}", h.updateFilterKeyword)    // PUT /api/v2/filters/keywords/:id
	r.With(h.requireUser("write:filters")).Delete("/filters/keywords/{id}", h.deleteFilterKeyword) // DELETE /api/v2/filters/keywords/:id
	r.With(h.requireUser("read:filters")).Get("/filters/{id}/statuses", h.listFilterStatuses)      // GET /api/v2/filters/:filter_id/statuses
	r.With(h.requireUser("write:filters")).Post("/filters/{id}/statuses", h.addFilterStatus)       // POST /api/v2/filters/:filter_id/statuses
	r.With(h.requireUser("read:filters")).Get("/filters/statuses/{id}", h.getFilterStatus)         // GET /api/v2/filters/statuses/:id
	r.With(h.requireUser("write:filters")).Delete("/filters/statuses/{id}", h.deleteFilterStatus)  // DELETE /api/v2/filters/statuses/:id
}

// filterRequest is the body of POST and PUT /api/v2/filters.
type filterRequest struct {
	Title       *string      `param:"title"`
	Context     []string     `param:"context"`
	Action      *string      `param:"filter_action"`
	ExpiresIn   *string      `param:"expires_in"`
	KeywordsAtt paramObjects `param:"keywords_attributes"`
}

func (req filterRequest) input() (social.FilterInput, error) {
	in := social.FilterInput{Title: req.Title, Context: req.Context, Action: req.Action}
	var err error
	if in.ExpiresIn, err = parseExpiresIn(req.ExpiresIn); err != nil {
		return in, err
	}
	for _, o := range req.KeywordsAtt {
		k, err := keywordInput(o)
		if err != nil {
			return in, err
		}
		in.Keywords = append(in.Keywords, k)
	}
	return in, nil
}

// parseExpiresIn reads expires_in: absent is nil (unchanged), empty is 0
// (never expires), else a number of seconds.
func parseExpiresIn(s *string) (*int, error) {
	if s == nil {
		return nil, nil
	}
	if strings.TrimSpace(*s) == "" {
		zero := 0
		return &zero, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(*s))
	if err != nil || n <= 0 {
		return nil, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: expires_in must be a positive number of seconds"}
	}
	return &n, nil
}

// keywordInput reads one keywords_attributes object.
func keywordInput(o map[string]string) (social.KeywordInput, error) {
	k := social.KeywordInput{Keyword: o["keyword"]}
	var err error
	if id, ok := o["id"]; ok && id != "" {
		if k.ID, err = parseID("keywords_attributes[][id]", id); err != nil {
			return k, err
		}
	}
	for name, dst := range map[string]*bool{"whole_word": &k.WholeWord, "_destroy": &k.Destroy} {
		if *dst, err = parseBool(o[name]); err != nil {
			return k, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: keywords_attributes[][" + name + "] must be a boolean"}
		}
	}
	return k, nil
}

// listFilters handles GET /api/v2/filters.
func (h *Handler) listFilters(w http.ResponseWriter, r *http.Request) {
	render(h, w, r, h.svc.Filters, filterEntities)
}

// getFilter handles GET /api/v2/filters/:id.
func (h *Handler) getFilter(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.Filter, filterEntity)
}

// createFilter handles POST /api/v2/filters.
func (h *Handler) createFilter(w http.ResponseWriter, r *http.Request) {
	render(h, w, r, func(ctx context.Context, v *store.Account) (*store.Filter, error) {
		in, err := decodeInput(r, filterRequest.input)
		if err != nil {
			return nil, err
		}
		return h.svc.CreateFilter(ctx, v, in)
	}, filterEntity)
}

// updateFilter handles PUT /api/v2/filters/:id.
func (h *Handler) updateFilter(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (*store.Filter, error) {
		in, err := decodeInput(r, filterRequest.input)
		if err != nil {
			return nil, err
		}
		return h.svc.UpdateFilter(ctx, v, id, in)
	}, filterEntity)
}

// deleteFilter handles DELETE /api/v2/filters/:id; it answers {}.
func (h *Handler) deleteFilter(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteFilter)
}

// listFilterKeywords handles GET /api/v2/filters/:filter_id/keywords.
func (h *Handler) listFilterKeywords(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.Filter, func(f *store.Filter) []FilterKeyword { return filterEntity(f).Keywords })
}

type keywordRequest struct {
	Keyword   string `param:"keyword"`
	WholeWord bool   `param:"whole_word"`
}

func (req keywordRequest) input() (social.KeywordInput, error) {
	return social.KeywordInput{Keyword: req.Keyword, WholeWord: req.WholeWord}, nil
}

// addFilterKeyword handles POST /api/v2/filters/:filter_id/keywords.
func (h *Handler) addFilterKeyword(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (*store.FilterKeyword, error) {
		in, err := decodeInput(r, keywordRequest.input)
		if err != nil {
			return nil, err
		}
		return h.svc.AddFilterKeyword(ctx, v, id, in)
	}, filterKeywordEntity)
}

// getFilterKeyword handles GET /api/v2/filters/keywords/:id.
func (h *Handler) getFilterKeyword(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.FilterKeyword, filterKeywordEntity)
}

// updateFilterKeyword handles PUT /api/v2/filters/keywords/:id.
func (h *Handler) updateFilterKeyword(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (*store.FilterKeyword, error) {
		in, err := decodeInput(r, keywordRequest.input)
		if err != nil {
			return nil, err
		}
		return h.svc.UpdateFilterKeyword(ctx, v, id, in)
	}, filterKeywordEntity)
}

// deleteFilterKeyword handles DELETE /api/v2/filters/keywords/:id.
func (h *Handler) deleteFilterKeyword(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteFilterKeyword)
}

// listFilterStatuses handles GET /api/v2/filters/:filter_id/statuses.
func (h *Handler) listFilterStatuses(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.Filter, func(f *store.Filter) []FilterStatus { return filterEntity(f).Statuses })
}

type filterStatusRequest struct {
	StatusID string `param:"status_id"`
}

func (req filterStatusRequest) input() (int64, error) { return parseID("status_id", req.StatusID) }

// addFilterStatus handles POST /api/v2/filters/:filter_id/statuses.
func (h *Handler) addFilterStatus(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (*store.FilterStatus, error) {
		statusID, err := decodeInput(r, filterStatusRequest.input)
		if err != nil {
			return nil, err
		}
		return h.svc.AddFilterStatus(ctx, v, id, statusID)
	}, filterStatusEntity)
}

// getFilterStatus handles GET /api/v2/filters/statuses/:id.
func (h *Handler) getFilterStatus(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, h.svc.FilterStatus, filterStatusEntity)
}

// deleteFilterStatus handles DELETE /api/v2/filters/statuses/:id.
func (h *Handler) deleteFilterStatus(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteFilterStatus)
}

// decodeInput decodes r's parameters into a Req and converts them with
// input: the parse step of a handler whose request needs more than
// decodeParams (IDs, optional numbers, nested objects).
func decodeInput[Req, In any](r *http.Request, input func(Req) (In, error)) (In, error) {
	var req Req
	if err := decodeParams(r, &req); err != nil {
		var zero In
		return zero, err
	}
	return input(req)
}

// render runs call for the viewer and renders its result with conv.
func render[T, E any](h *Handler, w http.ResponseWriter, r *http.Request,
	call func(ctx context.Context, v *store.Account) (T, error), conv func(T) E) {
	out, err := call(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, conv(out))
}

// renderByID is render for a call on the {id} in the path.
func renderByID[T, E any](h *Handler, w http.ResponseWriter, r *http.Request,
	call func(ctx context.Context, v *store.Account, id int64) (T, error), conv func(T) E) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	render(h, w, r, func(ctx context.Context, v *store.Account) (T, error) { return call(ctx, v, id) }, conv)
}

// deleteByID runs a per-ID delete of the viewer's on {id}; it answers {}.
func (h *Handler) deleteByID(w http.ResponseWriter, r *http.Request,
	del func(ctx context.Context, v *store.Account, id int64) error) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (struct{}, error) {
		return struct{}{}, del(ctx, v, id)
	}, func(e struct{}) struct{} { return e })
}
