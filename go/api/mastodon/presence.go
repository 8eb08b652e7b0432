package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// presenceRoutes are Starling's presence extension (package presence):
// who among the accounts a viewer follows is online. The streaming
// endpoint also keeps its viewer online while a connection is open.
func (h *Handler) presenceRoutes(r chi.Router) {
	r.With(h.requireUser("read:follows")).Get("/starling/presence", h.presence)                                      // GET /api/v1/starling/presence (Starling)
	r.With(h.requireUser("read:statuses", "read:follows")).Post("/starling/presence/heartbeat", h.presenceHeartbeat) // POST /api/v1/starling/presence/heartbeat (Starling)
}

// Presence is one followed account's online state.
type Presence struct {
	ID     string `json:"id"`
	Online bool   `json:"online"`
}

// Heartbeat answers a heartbeat: the viewer is online until ExpiresAt
// unless it sends another before.
type Heartbeat struct {
	Online    bool   `json:"online"`
	ExpiresAt string `json:"expires_at"`
}

// presence handles GET /api/v1/starling/presence?id[]=…: the online state
// of the named accounts the viewer follows, in the order asked; the others
// are left out (see social.Presence). Repeated IDs are answered once.
func (h *Handler) presence(w http.ResponseWriter, r *http.Request) {
	ids, err := parseAccountIDs(r, social.MaxPresenceIDs)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ps, err := h.svc.Presence(r.Context(), viewer(r.Context()), ids)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]Presence, len(ps))
	for i, p := range ps {
		out[i] = Presence{ID: formatID(p.AccountID), Online: p.Online}
	}
	writeJSON(w, http.StatusOK, out)
}

// presenceHeartbeat handles POST /api/v1/starling/presence/heartbeat: the
// viewer is online for the presence TTL. It takes no parameters.
func (h *Handler) presenceHeartbeat(w http.ResponseWriter, r *http.Request) {
	until, err := h.svc.Heartbeat(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Heartbeat{Online: true, ExpiresAt: formatTime(until)})
}
