package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Moderation is what the operator manages on this listener: the report
// queue and the announcements (package social).
type Moderation interface {
	Reports(ctx context.Context, page store.Page) ([]*store.Report, error)
	CreateAnnouncement(ctx context.Context, in social.AnnouncementInput) (*store.Announcement, error)
	DeleteAnnouncement(ctx context.Context, id int64) error
	AllAnnouncements(ctx context.Context) ([]*store.Announcement, error)
}

// moderationRoutes attaches the report queue and the announcements.
func moderationRoutes(r chi.Router, m Moderation) {
	r.Get("/api/v1/admin/reports", listReports(m))                      // the report queue, newest first
	r.Get("/api/v1/admin/announcements", listAnnouncements(m))          // every announcement, newest first
	r.Post("/api/v1/admin/announcements", createAnnouncement(m))        // publish one (JSON body)
	r.Delete("/api/v1/admin/announcements/{id}", deleteAnnouncement(m)) // withdraw one
}

// reportJSON is a report as moderators read it here: IDs, not entities.
type reportJSON struct {
	ID              string   `json:"id"`
	AccountID       string   `json:"account_id"`
	TargetAccountID string   `json:"target_account_id"`
	StatusIDs       []string `json:"status_ids"`
	Category        string   `json:"category"`
	Comment         string   `json:"comment"`
	RuleIDs         []string `json:"rule_ids"`
	Forwarded       bool     `json:"forwarded"`
	CreatedAt       string   `json:"created_at"`
	ActionTaken     bool     `json:"action_taken"`
	ActionTakenAt   *string  `json:"action_taken_at"`
	ActionTakenBy   *string  `json:"action_taken_by_account_id"`
}

func ids(vs []int64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// timeJSON is Mastodon's datetime form; nil stays nil.
func timeJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05.000Z")
	return &s
}

// Report pages: 40 by default, at most 200, below max_id.
const (
	defaultReportLimit = 40
	maxReportLimit     = 200
)

func listReports(m Moderation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page := store.Page{Limit: defaultReportLimit}
		q := r.URL.Query()
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				writeJSON(w, http.StatusBadRequest, errorJSON("limit must be a positive integer"))
				return
			}
			page.Limit = min(n, maxReportLimit)
		}
		if s := q.Get("max_id"); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				writeJSON(w, http.StatusBadRequest, errorJSON("max_id must be an ID"))
				return
			}
			page.MaxID = id
		}
		rs, err := m.Reports(r.Context(), page)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		out := make([]reportJSON, len(rs))
		for i, rp := range rs {
			out[i] = reportJSON{ID: strconv.FormatInt(rp.ID, 10), AccountID: strconv.FormatInt(rp.AccountID, 10),
				TargetAccountID: strconv.FormatInt(rp.TargetAccountID, 10), StatusIDs: ids(rp.StatusIDs),
				Category: rp.Category, Comment: rp.Comment, RuleIDs: ids(rp.RuleIDs), Forwarded: rp.Forwarded,
				CreatedAt: *timeJSON(&rp.CreatedAt), ActionTaken: rp.ActionTakenAt != nil, ActionTakenAt: timeJSON(rp.ActionTakenAt)}
			if rp.ActionTakenBy != 0 {
				by := strconv.FormatInt(rp.ActionTakenBy, 10)
				out[i].ActionTakenBy = &by
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// announcementJSON is an announcement as the operator reads it here.
type announcementJSON struct {
	ID          string  `json:"id"`
	Text        string  `json:"text"`
	Content     string  `json:"content"`
	StartsAt    *string `json:"starts_at"`
	EndsAt      *string `json:"ends_at"`
	AllDay      bool    `json:"all_day"`
	PublishedAt string  `json:"published_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func announcementOf(a *store.Announcement) announcementJSON {
	return announcementJSON{ID: strconv.FormatInt(a.ID, 10), Text: a.Text, Content: a.Content,
		StartsAt: timeJSON(a.StartsAt), EndsAt: timeJSON(a.EndsAt), AllDay: a.AllDay,
		PublishedAt: *timeJSON(&a.PublishedAt), UpdatedAt: *timeJSON(&a.UpdatedAt)}
}

func listAnnouncements(m Moderation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		as, err := m.AllAnnouncements(r.Context())
		if err != nil {
			writeDomainError(w, err)
			return
		}
		out := make([]announcementJSON, len(as))
		for i, a := range as {
			out[i] = announcementOf(a)
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// maxAnnouncementBody bounds the JSON an announcement is posted with.
const maxAnnouncementBody = 64 << 10

// createAnnouncement reads {"text", "starts_at", "ends_at", "all_day"}
// (times in RFC 3339), nothing else.
func createAnnouncement(m Moderation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text     string     `json:"text"`
			StartsAt *time.Time `json:"starts_at"`
			EndsAt   *time.Time `json:"ends_at"`
			AllDay   bool       `json:"all_day"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAnnouncementBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, errorJSON("want a JSON object {text, starts_at, ends_at, all_day}: "+err.Error()))
			return
		}
		a, err := m.CreateAnnouncement(r.Context(), social.AnnouncementInput{Text: req.Text,
			StartsAt: utc(req.StartsAt), EndsAt: utc(req.EndsAt), AllDay: req.AllDay})
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, announcementOf(a))
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

func deleteAnnouncement(m Moderation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
		if err != nil || id <= 0 {
			writeJSON(w, http.StatusNotFound, errorJSON("Record not found"))
			return
		}
		if err := m.DeleteAnnouncement(r.Context(), id); err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

func errorJSON(msg string) map[string]string { return map[string]string{"error": msg} }

// writeDomainError answers a social error with its safe message: 422 for
// invalid input, 404 for what is not there, 500 (without details) else.
func writeDomainError(w http.ResponseWriter, err error) {
	var e *social.Error
	switch {
	case errors.As(err, &e) && e.Kind == social.KindInvalid:
		writeJSON(w, http.StatusUnprocessableEntity, errorJSON(e.Safe))
	case errors.As(err, &e) && e.Kind == social.KindNotFound:
		writeJSON(w, http.StatusNotFound, errorJSON(e.Safe))
	default:
		writeJSON(w, http.StatusInternalServerError, errorJSON("Internal Server Error"))
	}
}
