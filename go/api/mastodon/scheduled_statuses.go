package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// scheduledStatusRoutes: scheduled statuses (under /api/v1). Posting with
// scheduled_at is refused (422) until scheduling exists, so there are none:
// the list is honestly empty and every ID names nothing.
func (h *Handler) scheduledStatusRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/scheduled_statuses", h.scheduledStatuses)        // GET /api/v1/scheduled_statuses
	r.With(h.requireUser("read:statuses")).Get("/scheduled_statuses/{id}", h.scheduledStatus)     // GET /api/v1/scheduled_statuses/:id
	r.With(h.requireUser("write:statuses")).Put("/scheduled_statuses/{id}", h.scheduledStatus)    // PUT /api/v1/scheduled_statuses/:id
	r.With(h.requireUser("write:statuses")).Delete("/scheduled_statuses/{id}", h.scheduledStatus) // DELETE /api/v1/scheduled_statuses/:id
}

// scheduledStatuses handles GET /api/v1/scheduled_statuses: the paging
// parameters are still checked, as on every list.
func (h *Handler) scheduledStatuses(w http.ResponseWriter, r *http.Request) {
	if _, err := parsePage(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, []struct{}{})
}

// scheduledStatus handles GET, PUT and DELETE /api/v1/scheduled_statuses/:id:
// no scheduled status exists, so each is a 404 (a malformed ID too, as
// Mastodon answers).
func (h *Handler) scheduledStatus(w http.ResponseWriter, r *http.Request) {
	if _, err := pathID(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	notFoundHandler(w, r)
}
