package mastodon

import "net/http"

// pin handles POST /api/v1/statuses/:id/pin: the status, now pinned to the
// viewer's profile.
func (h *Handler) pin(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.PinStatus)
}

// unpin handles POST /api/v1/statuses/:id/unpin.
func (h *Handler) unpin(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.UnpinStatus)
}
