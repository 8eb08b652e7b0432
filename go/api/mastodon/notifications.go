package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// notificationRoutes: notifications (under /api/v1).
func (h *Handler) notificationRoutes(r chi.Router) {
	r.With(h.requireUser("read:notifications")).Get("/notifications", h.notifications)                        // GET /api/v1/notifications
	r.With(h.requireUser("read:notifications")).Get("/notifications/unread_count", h.unreadNotificationCount) // GET /api/v1/notifications/unread_count
	r.With(h.requireUser("read:notifications")).Get("/notifications/{id}", h.getNotification)                 // GET /api/v1/notifications/:id
	r.With(h.requireUser("write:notifications")).Post("/notifications/clear", h.clearNotifications)           // POST /api/v1/notifications/clear
	r.With(h.requireUser("write:notifications")).Post("/notifications/{id}/dismiss", h.dismissNotification)   // POST /api/v1/notifications/:id/dismiss
}

type notificationsRequest struct {
	Types        []string `param:"types"`
	ExcludeTypes []string `param:"exclude_types"`
	AccountID    string   `param:"account_id"`
}

// notifications handles GET /api/v1/notifications.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) {
	var req notificationsRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := notificationFilter(req.Types, req.ExcludeTypes, req.AccountID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	ns, err := h.svc.Notifications(r.Context(), v, f, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.notificationEntities(r.Context(), v, ns)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(ns) > 0 {
		h.setLinkHeader(w, r, page, ns[0].Notification.ID, ns[len(ns)-1].Notification.ID)
	}
	writeJSON(w, http.StatusOK, out)
}

// notificationFilter is the selection v1 and v2 share: types[],
// exclude_types[] and account_id.
func notificationFilter(types, exclude []string, accountID string) (social.NotificationFilter, error) {
	f := social.NotificationFilter{Types: notificationTypes(types), ExcludeTypes: notificationTypes(exclude)}
	if accountID != "" {
		id, err := parseID("account_id", accountID)
		if err != nil {
			return f, err
		}
		f.FromAccountID = id
	}
	return f, nil
}

func notificationTypes(ss []string) []store.NotificationType {
	out := make([]store.NotificationType, len(ss))
	for i, s := range ss {
		out[i] = store.NotificationType(s)
	}
	return out
}

// getNotification handles GET /api/v1/notifications/:id.
func (h *Handler) getNotification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	n, err := h.svc.GetNotification(r.Context(), v, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.notificationEntities(r.Context(), v, []*social.NotificationView{n})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(out) == 0 {
		notFoundHandler(w, r)
		return
	}
	writeJSON(w, http.StatusOK, out[0])
}

// clearNotifications handles POST /api/v1/notifications/clear.
func (h *Handler) clearNotifications(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.ClearNotifications(r.Context(), viewer(r.Context())); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// dismissNotification handles POST /api/v1/notifications/:id/dismiss.
func (h *Handler) dismissNotification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.DismissNotification(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
