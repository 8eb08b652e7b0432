package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// settingsRoutes: what an account keeps for its clients, read positions
// and preferences (under /api/v1).
func (h *Handler) settingsRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/markers", h.getMarkers)      // GET /api/v1/markers
	r.With(h.requireUser("write:statuses")).Post("/markers", h.saveMarkers)   // POST /api/v1/markers
	r.With(h.requireUser("read:accounts")).Get("/preferences", h.preferences) // GET /api/v1/preferences
}

// Marker is Mastodon's Marker entity.
type Marker struct {
	LastReadID string `json:"last_read_id"`
	Version    int64  `json:"version"`
	UpdatedAt  string `json:"updated_at"`
}

// markerMap renders markers as Mastodon's hash of timeline to Marker.
func markerMap(ms []*store.Marker) map[string]Marker {
	out := make(map[string]Marker, len(ms))
	for _, m := range ms {
		out[m.Timeline] = Marker{LastReadID: formatID(m.LastReadID), Version: m.Version, UpdatedAt: formatTime(m.UpdatedAt)}
	}
	return out
}

// maxMarkerTimelines bounds timeline[]: there are two timelines.
const maxMarkerTimelines = 10

// getMarkers handles GET /api/v1/markers?timeline[]=home&timeline[]=notifications.
func (h *Handler) getMarkers(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Timelines []string `param:"timeline"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(req.Timelines) > maxMarkerTimelines {
		h.writeError(w, r, badRequest("Too many timelines"))
		return
	}
	ms, err := h.svc.Markers(r.Context(), viewer(r.Context()), req.Timelines)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, markerMap(ms))
}

type saveMarkersRequest struct {
	Home          string `param:"home[last_read_id]"`
	Notifications string `param:"notifications[last_read_id]"`
}

// saveMarkers handles POST /api/v1/markers (home[last_read_id],
// notifications[last_read_id]); it answers with the markers it saved.
func (h *Handler) saveMarkers(w http.ResponseWriter, r *http.Request) {
	var req saveMarkersRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	var in []social.MarkerInput
	for _, m := range []struct{ timeline, id string }{
		{store.MarkerHome, req.Home}, {store.MarkerNotifications, req.Notifications},
	} {
		if m.id == "" {
			continue
		}
		id, err := parseID(m.timeline+"[last_read_id]", m.id)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		in = append(in, social.MarkerInput{Timeline: m.timeline, LastReadID: id})
	}
	ms, err := h.svc.SaveMarkers(r.Context(), viewer(r.Context()), in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, markerMap(ms))
}

// Preferences is Mastodon's Preferences entity.
type Preferences struct {
	PostingVisibility string  `json:"posting:default:visibility"`
	PostingSensitive  bool    `json:"posting:default:sensitive"`
	PostingLanguage   *string `json:"posting:default:language"`
	ExpandMedia       string  `json:"reading:expand:media"`
	ExpandSpoilers    bool    `json:"reading:expand:spoilers"`
}

// preferencesOf renders stored preferences with Mastodon's defaults for
// what was never set: public, media per the client's default, no language.
func preferencesOf(p *store.AccountPreferences) Preferences {
	out := Preferences{PostingVisibility: string(p.PostingVisibility), PostingSensitive: p.PostingSensitive,
		ExpandMedia: p.ExpandMedia, ExpandSpoilers: p.ExpandSpoilers}
	if out.PostingVisibility == "" {
		out.PostingVisibility = string(store.VisibilityPublic)
	}
	if out.ExpandMedia == "" {
		out.ExpandMedia = "default"
	}
	if p.PostingLanguage != "" {
		out.PostingLanguage = &p.PostingLanguage
	}
	return out
}

// preferences handles GET /api/v1/preferences.
func (h *Handler) preferences(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Preferences(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferencesOf(p))
}
