package mastodon

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// scheduledStatusRoutes: scheduled statuses (under /api/v1); they are
// created by POST /api/v1/statuses with scheduled_at.
func (h *Handler) scheduledStatusRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/scheduled_statuses", h.scheduledStatuses)              // GET /api/v1/scheduled_statuses
	r.With(h.requireUser("read:statuses")).Get("/scheduled_statuses/{id}", h.scheduledStatus)           // GET /api/v1/scheduled_statuses/:id
	r.With(h.requireUser("write:statuses")).Put("/scheduled_statuses/{id}", h.rescheduleStatus)         // PUT /api/v1/scheduled_statuses/:id
	r.With(h.requireUser("write:statuses")).Delete("/scheduled_statuses/{id}", h.cancelScheduledStatus) // DELETE /api/v1/scheduled_statuses/:id
}

// ScheduledStatus is Mastodon's ScheduledStatus entity.
type ScheduledStatus struct {
	ID               string             `json:"id"`
	ScheduledAt      string             `json:"scheduled_at"`
	Params           scheduledParams    `json:"params"`
	MediaAttachments []*MediaAttachment `json:"media_attachments"`
}

// scheduledParams are the parameters as the client gave them, null where
// it gave none, as Mastodon shows them. idempotency and scheduled_at are
// always null and with_rate_limit false (Mastodon clears them when it
// stores the status); application_id is null, as statuses do not record
// their application here. in_reply_to_id is a string like every ID of the
// API (Mastodon's docs say integer, which JavaScript cannot hold exactly).
type scheduledParams struct {
	Text          string         `json:"text"`
	Poll          *scheduledPoll `json:"poll"`
	MediaIDs      []string       `json:"media_ids"`
	Sensitive     *bool          `json:"sensitive"`
	SpoilerText   *string        `json:"spoiler_text"`
	Visibility    *string        `json:"visibility"`
	ScheduledAt   *string        `json:"scheduled_at"`
	InReplyToID   *string        `json:"in_reply_to_id"`
	Language      *string        `json:"language"`
	ApplicationID *int64         `json:"application_id"`
	Idempotency   *string        `json:"idempotency"`
	WithRateLimit bool           `json:"with_rate_limit"`
}

type scheduledPoll struct {
	Options    []string `json:"options"`
	ExpiresIn  int64    `json:"expires_in"`
	Multiple   bool     `json:"multiple"`
	HideTotals bool     `json:"hide_totals"`
}

func (h *Handler) scheduledStatusEntity(v *social.ScheduledView) *ScheduledStatus {
	p := v.Params
	out := &ScheduledStatus{ID: strconv.FormatInt(v.ID, 10), ScheduledAt: formatTime(v.ScheduledAt),
		MediaAttachments: make([]*MediaAttachment, 0, len(v.Media)),
		Params: scheduledParams{Text: p.Text, Sensitive: p.Sensitive, SpoilerText: p.SpoilerText,
			Visibility: p.Visibility, Language: p.Language}}
	if p.InReplyToID != 0 {
		id := strconv.FormatInt(p.InReplyToID, 10)
		out.Params.InReplyToID = &id
	}
	for _, id := range p.MediaIDs {
		out.Params.MediaIDs = append(out.Params.MediaIDs, strconv.FormatInt(id, 10))
	}
	for _, m := range v.Media {
		out.MediaAttachments = append(out.MediaAttachments, h.mediaAttachment(m))
	}
	if p.Poll != nil {
		out.Params.Poll = &scheduledPoll{Options: p.Poll.Options, ExpiresIn: p.Poll.ExpiresIn,
			Multiple: p.Poll.Multiple, HideTotals: p.Poll.HideTotals}
	}
	return out
}

// maxScheduledAt bounds the scheduled_at parameter's text.
const maxScheduledAt = 64

// parseScheduledAt reads an ISO 8601 date-time (RFC 3339, as Mastodon's
// clients send it); "" is no time.
func parseScheduledAt(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) <= maxScheduledAt {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &requestError{status: http.StatusUnprocessableEntity,
		msg: "Validation failed: scheduled_at must be an ISO 8601 date-time"}
}

// scheduledStatuses handles GET /api/v1/scheduled_statuses.
func (h *Handler) scheduledStatuses(w http.ResponseWriter, r *http.Request) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	views, err := h.svc.ScheduledStatuses(r.Context(), viewer(r.Context()), page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(views) > 0 {
		h.setLinkHeader(w, r, page, views[0].ID, views[len(views)-1].ID)
	}
	out := make([]*ScheduledStatus, len(views))
	for i, v := range views {
		out[i] = h.scheduledStatusEntity(v)
	}
	writeJSON(w, http.StatusOK, out)
}

// scheduledStatus handles GET /api/v1/scheduled_statuses/:id.
func (h *Handler) scheduledStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.svc.ScheduledStatus(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.scheduledStatusEntity(v))
}

type rescheduleRequest struct {
	ScheduledAt string `param:"scheduled_at"`
}

// rescheduleStatus handles PUT /api/v1/scheduled_statuses/:id.
func (h *Handler) rescheduleStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req rescheduleRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	at, err := parseScheduledAt(req.ScheduledAt)
	if err == nil && at.IsZero() {
		err = &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: scheduled_at is required"}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.svc.RescheduleStatus(r.Context(), viewer(r.Context()), id, at)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.scheduledStatusEntity(v))
}

// cancelScheduledStatus handles DELETE /api/v1/scheduled_statuses/:id.
func (h *Handler) cancelScheduledStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.CancelScheduledStatus(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
