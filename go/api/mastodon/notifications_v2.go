package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// notificationV2Routes: grouped notifications (under /api/v2).
func (h *Handler) notificationV2Routes(r chi.Router) {
	r.With(h.requireUser("read:notifications")).Get("/notifications", h.groupedNotifications)                           // GET /api/v2/notifications
	r.With(h.requireUser("read:notifications")).Get("/notifications/unread_count", h.unreadGroupCount)                  // GET /api/v2/notifications/unread_count
	r.With(h.requireUser("read:notifications")).Get("/notifications/{group_key}", h.notificationGroup)                  // GET /api/v2/notifications/:group_key
	r.With(h.requireUser("read:notifications")).Get("/notifications/{group_key}/accounts", h.notificationGroupAccounts) // GET /api/v2/notifications/:group_key/accounts
	r.With(h.requireUser("write:notifications")).Post("/notifications/{group_key}/dismiss", h.dismissNotificationGroup) // POST /api/v2/notifications/:group_key/dismiss
}

// Unread counts are bounded as Mastodon bounds them: 100 by default, 1000
// at most.
const (
	defaultUnreadLimit = 100
	maxUnreadLimit     = 1000
)

// groupedRequest is the selection of GET /api/v2/notifications and its
// unread_count.
type groupedRequest struct {
	Types          []string `param:"types"`
	ExcludeTypes   []string `param:"exclude_types"`
	AccountID      string   `param:"account_id"`
	GroupedTypes   []string `param:"grouped_types"`
	ExpandAccounts string   `param:"expand_accounts"`
	// No notification policy filters anything here (there are no
	// notification requests), so including the filtered ones changes
	// nothing and the flag is honestly accepted.
	IncludeFiltered bool `param:"include_filtered"`
}

func (h *Handler) groupedFilter(r *http.Request) (social.GroupedFilter, groupedRequest, error) {
	var req groupedRequest
	if err := decodeParams(r, &req); err != nil {
		return social.GroupedFilter{}, req, err
	}
	nf, err := notificationFilter(req.Types, req.ExcludeTypes, req.AccountID)
	f := social.GroupedFilter{NotificationFilter: nf}
	if err != nil {
		return f, req, err
	}
	if req.GroupedTypes != nil {
		f.GroupedTypes = notificationTypes(req.GroupedTypes)
	}
	switch req.ExpandAccounts {
	case "", "full", "partial_avatars":
	default:
		return f, req, &requestError{status: http.StatusUnprocessableEntity,
			msg: "expand_accounts must be full or partial_avatars"}
	}
	return f, req, nil
}

// groupedNotifications handles GET /api/v2/notifications.
func (h *Handler) groupedNotifications(w http.ResponseWriter, r *http.Request) {
	f, req, err := h.groupedFilter(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	gp, err := h.svc.GroupedNotifications(r.Context(), v, f, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.groupedResults(r.Context(), v, gp.Groups, req.ExpandAccounts == "partial_avatars")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(gp.Groups) > 0 {
		h.setLinkHeader(w, r, page, gp.Newest, gp.Oldest)
	}
	writeJSON(w, http.StatusOK, out)
}

// unreadCountRequest is the unread_count parameters beyond the filter.
type unreadCountRequest struct {
	Limit string `param:"limit"`
}

// unreadGroupCount handles GET /api/v2/notifications/unread_count.
func (h *Handler) unreadGroupCount(w http.ResponseWriter, r *http.Request) {
	h.unreadCount(w, r, true)
}

// unreadNotificationCount handles GET /api/v1/notifications/unread_count.
func (h *Handler) unreadNotificationCount(w http.ResponseWriter, r *http.Request) {
	h.unreadCount(w, r, false)
}

func (h *Handler) unreadCount(w http.ResponseWriter, r *http.Request, grouped bool) {
	f, _, err := h.groupedFilter(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req unreadCountRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(req.Limit, defaultUnreadLimit, maxUnreadLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	n, err := h.svc.UnreadNotifications(r.Context(), viewer(r.Context()), f, limit, grouped)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

// notificationGroup handles GET /api/v2/notifications/:group_key.
func (h *Handler) notificationGroup(w http.ResponseWriter, r *http.Request) {
	v := viewer(r.Context())
	g, err := h.svc.NotificationGroup(r.Context(), v, chi.URLParam(r, "group_key"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.groupedResults(r.Context(), v, []*social.NotificationGroupView{g}, false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// maxGroupAccounts bounds GET /api/v2/notifications/:group_key/accounts.
const maxGroupAccounts = 80

// notificationGroupAccounts handles GET /api/v2/notifications/:group_key/accounts.
func (h *Handler) notificationGroupAccounts(w http.ResponseWriter, r *http.Request) {
	as, err := h.svc.NotificationGroupAccounts(r.Context(), viewer(r.Context()), chi.URLParam(r, "group_key"), maxGroupAccounts)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.accounts(as))
}

// dismissNotificationGroup handles POST /api/v2/notifications/:group_key/dismiss.
func (h *Handler) dismissNotificationGroup(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DismissNotificationGroup(r.Context(), viewer(r.Context()), chi.URLParam(r, "group_key")); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
