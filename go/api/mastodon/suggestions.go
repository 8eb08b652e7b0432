package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// suggestionRoutes: follow suggestions (under /api/v2; the v1 DELETE sits
// in accountRoutes).
func (h *Handler) suggestionRoutes(r chi.Router) {
	r.With(h.requireUser("read:accounts")).Get("/suggestions", h.suggestions) // GET /api/v2/suggestions
}

// Suggestions' limits: Mastodon defaults to 40 and caps at 80.
const (
	defaultSuggestionLimit = 40
	maxSuggestionLimit     = 80
)

// suggestions handles GET /api/v2/suggestions.
func (h *Handler) suggestions(w http.ResponseWriter, r *http.Request) {
	h.writeSuggestions(w, r, func(s *social.Suggestion) any {
		return &Suggestion{Source: legacySource(s.Sources[0]), Sources: s.Sources, Account: h.account(s.Account)}
	})
}

// suggestionsV1 handles GET /api/v1/suggestions: the same suggestions,
// as the bare accounts Mastodon's v1 answers with.
func (h *Handler) suggestionsV1(w http.ResponseWriter, r *http.Request) {
	h.writeSuggestions(w, r, func(s *social.Suggestion) any { return h.account(s.Account) })
}

// writeSuggestions reads the limit, asks for the viewer's suggestions and
// renders each with entity.
func (h *Handler) writeSuggestions(w http.ResponseWriter, r *http.Request, entity func(*social.Suggestion) any) {
	var req struct {
		Limit string `param:"limit"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(req.Limit, defaultSuggestionLimit, maxSuggestionLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	sugs, err := h.svc.Suggestions(r.Context(), viewer(r.Context()), limit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]any, len(sugs))
	for i, s := range sugs {
		out[i] = entity(s)
	}
	writeJSON(w, http.StatusOK, out)
}

// dismissSuggestion handles DELETE /api/v1/suggestions/:account_id; it
// answers an empty object, as Mastodon does.
func (h *Handler) dismissSuggestion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.DismissSuggestion(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
