package mastodon

import (
	"context"
	"net/http"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// maxRelationshipIDs bounds GET /api/v1/accounts/relationships, so one
// request cannot ask about the whole instance.
const maxRelationshipIDs = 80

// relationships handles GET /api/v1/accounts/relationships?id[]=…
// Repeated IDs are answered once; unknown ones get an empty relationship.
func (h *Handler) relationships(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `param:"id"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(req.IDs) > maxRelationshipIDs {
		h.writeError(w, r, badRequest("Too many ids: at most 80"))
		return
	}
	ids := make([]int64, 0, len(req.IDs))
	seen := map[int64]bool{}
	for _, s := range req.IDs {
		id, err := parseID("id", s)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	rels, err := h.svc.Relationships(r.Context(), viewer(r.Context()), ids)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]*Relationship, len(rels))
	for i, rel := range rels {
		out[i] = relationship(rel)
	}
	writeJSON(w, http.StatusOK, out)
}

// relationshipAction serves a POST on {id} that changes a relationship and
// answers with it (unfollow, block, unblock, unmute, authorize, reject).
func (h *Handler) relationshipAction(w http.ResponseWriter, r *http.Request,
	act func(ctx context.Context, v *store.Account, id int64) (*social.Relationship, error)) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rel, err := act(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, relationship(rel))
}

// blockAccount handles POST /api/v1/accounts/:id/block.
func (h *Handler) blockAccount(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.Block)
}

// unblockAccount handles POST /api/v1/accounts/:id/unblock.
func (h *Handler) unblockAccount(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.Unblock)
}

type muteRequest struct {
	Notifications *bool `param:"notifications"`
	Duration      int   `param:"duration"`
}

// muteAccount handles POST /api/v1/accounts/:id/mute.
func (h *Handler) muteAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req muteRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	rel, err := h.svc.Mute(r.Context(), viewer(r.Context()), id, social.MuteOptions{Notifications: req.Notifications, Duration: req.Duration})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, relationship(rel))
}

// unmuteAccount handles POST /api/v1/accounts/:id/unmute.
func (h *Handler) unmuteAccount(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.Unmute)
}

// listBlocks handles GET /api/v1/blocks.
func (h *Handler) listBlocks(w http.ResponseWriter, r *http.Request) {
	h.viewerList(w, r, h.svc.Blocks)
}

// listMutes handles GET /api/v1/mutes.
func (h *Handler) listMutes(w http.ResponseWriter, r *http.Request) { h.viewerList(w, r, h.svc.Mutes) }

// listFollowRequests handles GET /api/v1/follow_requests.
func (h *Handler) listFollowRequests(w http.ResponseWriter, r *http.Request) {
	h.viewerList(w, r, h.svc.FollowRequests)
}

// authorizeFollowRequest handles POST /api/v1/follow_requests/:account_id/authorize.
func (h *Handler) authorizeFollowRequest(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.AuthorizeFollowRequest)
}

// rejectFollowRequest handles POST /api/v1/follow_requests/:account_id/reject.
func (h *Handler) rejectFollowRequest(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.RejectFollowRequest)
}
