package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Moderation is what the admin listener reads of the policy plugins'
// decisions (the store).
type Moderation interface {
	GetFlaggedStatuses(ctx context.Context, page store.Page) ([]*store.FlaggedStatus, error)
	GetPolicyDecisions(ctx context.Context, page store.Page) ([]*store.PolicyDecision, error)
}

// FlaggedStatus is one entry of GET /admin/flagged.
type FlaggedStatus struct {
	ID            string    `json:"id"`
	StatusID      string    `json:"status_id"`
	AccountID     string    `json:"account_id"`
	Plugin        string    `json:"plugin"`
	PluginVersion string    `json:"plugin_version"`
	Reason        string    `json:"reason"`
	CreatedAt     time.Time `json:"created_at"`
}

// Decision is one entry of GET /admin/audit.
type Decision struct {
	ID            string    `json:"id"`
	CreatedAt     time.Time `json:"created_at"`
	Plugin        string    `json:"plugin"`
	PluginVersion string    `json:"plugin_version"`
	Hook          string    `json:"hook"`
	Verdict       string    `json:"verdict"`
	Reason        string    `json:"reason"`
	AccountID     string    `json:"account_id,omitempty"`
	StatusID      string    `json:"status_id,omitempty"`
}

const (
	defaultListLimit = 40
	maxListLimit     = 200
)

// listPage reads limit (1..200, default 40), max_id and min_id; IDs are
// positive integers as Mastodon's are.
func listPage(r *http.Request) (store.Page, string) {
	q := r.URL.Query()
	p := store.Page{Limit: defaultListLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return p, "limit must be an integer from 1 to 200"
		}
		p.Limit = n
	}
	for name, dst := range map[string]*int64{"max_id": &p.MaxID, "min_id": &p.MinID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return p, name + " must be a positive integer"
			}
			*dst = n
		}
	}
	return p, ""
}

func listFlagged(m Moderation) http.HandlerFunc {
	return listHandler(m, "flagged statuses", Moderation.GetFlaggedStatuses, func(f *store.FlaggedStatus) FlaggedStatus {
		return FlaggedStatus{ID: id(f.ID), StatusID: id(f.StatusID), AccountID: id(f.AccountID),
			Plugin: f.Plugin, PluginVersion: f.PluginVersion, Reason: f.Reason, CreatedAt: f.CreatedAt}
	})
}

func listAudit(m Moderation) http.HandlerFunc {
	return listHandler(m, "policy decisions", Moderation.GetPolicyDecisions, func(d *store.PolicyDecision) Decision {
		out := Decision{ID: id(d.ID), CreatedAt: d.CreatedAt, Plugin: d.Plugin, PluginVersion: d.PluginVersion,
			Hook: d.Hook, Verdict: d.Verdict, Reason: d.Reason}
		if d.AccountID != 0 {
			out.AccountID = id(d.AccountID)
		}
		if d.StatusID != 0 {
			out.StatusID = id(d.StatusID)
		}
		return out
	})
}

// listHandler is a paged admin listing from m (a Moderation, a Reports):
// parse the page, one call, convert each row. A nil m answers 404.
func listHandler[M comparable, Row, Entity any](m M, what string, get func(M, context.Context, store.Page) ([]Row, error), conv func(Row) Entity) http.HandlerFunc {
	var none M
	return func(w http.ResponseWriter, r *http.Request) {
		page, bad := listPage(r)
		switch {
		case bad != "":
			writeJSON(w, http.StatusBadRequest, errorBody{bad})
			return
		case m == none:
			writeJSON(w, http.StatusNotFound, errorBody{"no store"})
			return
		}
		rows, err := get(m, r.Context(), page)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody{"could not list " + what})
			return
		}
		out := make([]Entity, len(rows))
		for i, row := range rows {
			out[i] = conv(row)
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// id renders an ID as Mastodon does: a string, exact in JavaScript.
func id(n int64) string { return strconv.FormatInt(n, 10) }
