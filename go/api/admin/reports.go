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

// Reports is the users' report queue (package social).
type Reports interface {
	Reports(ctx context.Context, page store.Page) ([]*store.Report, error)
	ResolveReport(ctx context.Context, actor string, id int64) (*store.Report, error)
}

// Announcements are the operator's messages to every user (package social).
type Announcements interface {
	CreateAnnouncement(ctx context.Context, actor string, in social.AnnouncementInput) (*store.Announcement, error)
	DeleteAnnouncement(ctx context.Context, actor string, id int64) error
	AllAnnouncements(ctx context.Context) ([]*store.Announcement, error)
}

// Report is one entry of GET /admin/reports: IDs, not entities.
type Report struct {
	ID              string     `json:"id"`
	AccountID       string     `json:"account_id"`
	TargetAccountID string     `json:"target_account_id"`
	StatusIDs       []string   `json:"status_ids"`
	Category        string     `json:"category"`
	Comment         string     `json:"comment"`
	RuleIDs         []string   `json:"rule_ids"`
	Forwarded       bool       `json:"forwarded"`
	CreatedAt       time.Time  `json:"created_at"`
	ActionTaken     bool       `json:"action_taken"`
	ActionTakenAt   *time.Time `json:"action_taken_at"`
	ActionTakenBy   string     `json:"action_taken_by_account_id,omitempty"`
}

func ids(vs []int64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}

// listReports answers GET /admin/reports (limit, max_id, min_id).
func listReports(m Reports) http.HandlerFunc {
	return listHandler(m, "reports", Reports.Reports, reportOf)
}

func reportOf(rp *store.Report) Report {
	out := Report{ID: id(rp.ID), AccountID: id(rp.AccountID), TargetAccountID: id(rp.TargetAccountID),
		StatusIDs: ids(rp.StatusIDs), Category: rp.Category, Comment: rp.Comment, RuleIDs: ids(rp.RuleIDs),
		Forwarded: rp.Forwarded, CreatedAt: rp.CreatedAt, ActionTaken: rp.ActionTakenAt != nil,
		ActionTakenAt: rp.ActionTakenAt}
	if rp.ActionTakenBy != 0 {
		out.ActionTakenBy = id(rp.ActionTakenBy)
	}
	return out
}

// resolveReport answers POST /admin/reports/{id}/resolve (Mastodon's
// POST /api/v1/admin/reports/:id/resolve): the report, marked acted on.
func resolveReport(m Reports) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		rp, err := m.ResolveReport(r.Context(), actor(r), n)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, reportOf(rp))
	}
}

// Announcement is an announcement as the operator reads it here.
type Announcement struct {
	ID          string     `json:"id"`
	Text        string     `json:"text"`
	Content     string     `json:"content"`
	StartsAt    *time.Time `json:"starts_at"`
	EndsAt      *time.Time `json:"ends_at"`
	AllDay      bool       `json:"all_day"`
	PublishedAt time.Time  `json:"published_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func announcementOf(a *store.Announcement) Announcement {
	return Announcement{ID: id(a.ID), Text: a.Text, Content: a.Content, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		AllDay: a.AllDay, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt}
}

func listAnnouncements(m Announcements) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if m == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"no announcements"})
			return
		}
		as, err := m.AllAnnouncements(r.Context())
		if err != nil {
			writeDomainError(w, err)
			return
		}
		out := make([]Announcement, len(as))
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
func createAnnouncement(m Announcements) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if m == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"no announcements"})
			return
		}
		var req struct {
			Text     string     `json:"text"`
			StartsAt *time.Time `json:"starts_at"`
			EndsAt   *time.Time `json:"ends_at"`
			AllDay   bool       `json:"all_day"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAnnouncementBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{"want a JSON object {text, starts_at, ends_at, all_day}: " + err.Error()})
			return
		}
		a, err := m.CreateAnnouncement(r.Context(), actor(r), social.AnnouncementInput{Text: req.Text,
			StartsAt: utc(req.StartsAt), EndsAt: utc(req.EndsAt), AllDay: req.AllDay})
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, announcementOf(a))
	}
}

// utc is t in UTC at the microsecond both stores keep; nil stays nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

func deleteAnnouncement(m Announcements) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		if err := m.DeleteAnnouncement(r.Context(), actor(r), n); err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// pathID parses the {id} of the route; an ID that cannot exist, or a
// handler without its source (served is false), answers 404 as a missing
// record does, and ok is false.
func pathID(w http.ResponseWriter, r *http.Request, served bool) (int64, bool) {
	n, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if !served || err != nil || n <= 0 {
		writeJSON(w, http.StatusNotFound, errorBody{"Record not found"})
		return 0, false
	}
	return n, true
}

// writeDomainError answers a social error with its safe message: 422 for
// invalid input, 404 for what is not there, 500 (without details) else.
func writeDomainError(w http.ResponseWriter, err error) {
	var e *social.Error
	switch {
	case errors.As(err, &e) && e.Kind == social.KindInvalid:
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{e.Safe})
	case errors.As(err, &e) && e.Kind == social.KindNotFound:
		writeJSON(w, http.StatusNotFound, errorBody{e.Safe})
	default:
		writeJSON(w, http.StatusInternalServerError, errorBody{"Internal Server Error"})
	}
}
