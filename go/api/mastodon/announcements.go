package mastodon

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// announcementRoutes: the operator's announcements (under /api/v1); the
// operator publishes them on the admin listener.
func (h *Handler) announcementRoutes(r chi.Router) {
	r.With(h.requireUser("read")).Get("/announcements", h.announcements)                                            // GET /api/v1/announcements
	r.With(h.requireUser("write:accounts")).Post("/announcements/{id}/dismiss", h.dismissAnnouncement)              // POST /api/v1/announcements/:id/dismiss
	r.With(h.requireUser("write:favourites")).Put("/announcements/{id}/reactions/{name}", h.reactToAnnouncement)    // PUT /api/v1/announcements/:id/reactions/:name
	r.With(h.requireUser("write:favourites")).Delete("/announcements/{id}/reactions/{name}", h.unreactAnnouncement) // DELETE /api/v1/announcements/:id/reactions/:name
}

// Announcement is Mastodon's Announcement entity. Starling has no custom
// emoji and links no statuses or tags from announcements, so those lists
// are empty.
type Announcement struct {
	ID          string      `json:"id"`
	Content     string      `json:"content"`
	StartsAt    *string     `json:"starts_at"`
	EndsAt      *string     `json:"ends_at"`
	AllDay      bool        `json:"all_day"`
	PublishedAt string      `json:"published_at"`
	UpdatedAt   string      `json:"updated_at"`
	Read        *bool       `json:"read,omitempty"` // for a user only
	Mentions    []struct{}  `json:"mentions"`
	Statuses    []struct{}  `json:"statuses"`
	Tags        []struct{}  `json:"tags"`
	Emojis      []struct{}  `json:"emojis"`
	Reactions   []*Reaction `json:"reactions"`
}

// Reaction is Mastodon's Reaction entity (Unicode emoji only, so no URLs).
type Reaction struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
	Me    *bool  `json:"me,omitempty"`
}

// announcementEntity renders an announcement; read and me are shown when
// the view is a user's (view not nil).
func announcementEntity(a *store.Announcement, view *social.AnnouncementView) *Announcement {
	out := &Announcement{ID: formatID(a.ID), Content: a.Content, AllDay: a.AllDay,
		PublishedAt: formatTime(a.PublishedAt), UpdatedAt: formatTime(a.UpdatedAt),
		Mentions: []struct{}{}, Statuses: []struct{}{}, Tags: []struct{}{}, Emojis: []struct{}{}, Reactions: []*Reaction{}}
	for _, t := range []struct {
		at  *time.Time
		dst **string
	}{{a.StartsAt, &out.StartsAt}, {a.EndsAt, &out.EndsAt}} {
		if t.at != nil {
			s := formatTime(*t.at)
			*t.dst = &s
		}
	}
	if view != nil {
		read := view.Read
		out.Read = &read
		for _, c := range view.Reactions {
			me := c.Me
			out.Reactions = append(out.Reactions, &Reaction{Name: c.Name, Count: c.Count, Me: &me})
		}
	}
	return out
}

// announcements handles GET /api/v1/announcements: the active ones.
func (h *Handler) announcements(w http.ResponseWriter, r *http.Request) {
	views, err := h.svc.Announcements(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]*Announcement, len(views))
	for i, v := range views {
		out[i] = announcementEntity(v.Announcement, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// dismissAnnouncement handles POST /api/v1/announcements/:id/dismiss.
func (h *Handler) dismissAnnouncement(w http.ResponseWriter, r *http.Request) {
	h.announcementAction(w, r, func(ctx context.Context, v *store.Account, id int64) error {
		return h.svc.DismissAnnouncement(ctx, v, id)
	})
}

// reactToAnnouncement handles PUT /api/v1/announcements/:id/reactions/:name.
func (h *Handler) reactToAnnouncement(w http.ResponseWriter, r *http.Request) {
	h.announcementAction(w, r, func(ctx context.Context, v *store.Account, id int64) error {
		return h.svc.ReactToAnnouncement(ctx, v, id, chi.URLParam(r, "name"))
	})
}

// unreactAnnouncement handles DELETE /api/v1/announcements/:id/reactions/:name.
func (h *Handler) unreactAnnouncement(w http.ResponseWriter, r *http.Request) {
	h.announcementAction(w, r, func(ctx context.Context, v *store.Account, id int64) error {
		return h.svc.UnreactToAnnouncement(ctx, v, id, chi.URLParam(r, "name"))
	})
}

// announcementAction runs a call on announcement {id} and answers {}.
func (h *Handler) announcementAction(w http.ResponseWriter, r *http.Request,
	act func(ctx context.Context, v *store.Account, id int64) error) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := act(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
