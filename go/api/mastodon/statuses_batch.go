package mastodon

import (
	"fmt"
	"net/http"

	"github.com/starling-social/starling/go/social"
)

// getStatuses handles GET /api/v1/statuses?id[]=…: the statuses among the
// IDs that exist and the viewer may see, in the order asked. More than
// Mastodon's 20 IDs is a validation error, as there.
func (h *Handler) getStatuses(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `param:"id"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(req.IDs) > social.MaxStatusesByID {
		h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity,
			msg: fmt.Sprintf("Validation failed: at most %d statuses may be asked for", social.MaxStatusesByID)})
		return
	}
	ids, err := parseIDs("id", req.IDs)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.GetStatuses(r.Context(), v, ids)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, v, sts, true)
}

// parseIDs parses each of vs as an ID parameter name[].
func parseIDs(name string, vs []string) ([]int64, error) {
	ids := make([]int64, 0, len(vs))
	for _, s := range vs {
		id, err := parseID(name, s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// muteConversation handles POST /api/v1/statuses/:id/mute: the status,
// its conversation now muted for the viewer.
func (h *Handler) muteConversation(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.MuteConversation)
}

// unmuteConversation handles POST /api/v1/statuses/:id/unmute.
func (h *Handler) unmuteConversation(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.UnmuteConversation)
}
