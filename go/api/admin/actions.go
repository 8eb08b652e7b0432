package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Actions are the moderators' actions on content and their audit log
// (package social).
type Actions interface {
	AdminDeleteStatus(ctx context.Context, actor string, id int64, reason string) (*store.Status, error)
	AdminActions(ctx context.Context, page store.Page) ([]*store.AdminAction, error)
}

// AdminAction is one entry of GET /admin/actions: IDs, not entities; a
// target the action did not have is left out.
type AdminAction struct {
	ID              string    `json:"id"`
	CreatedAt       time.Time `json:"created_at"`
	Actor           string    `json:"actor"`
	Action          string    `json:"action"`
	TargetAccountID string    `json:"target_account_id,omitempty"`
	TargetStatusID  string    `json:"target_status_id,omitempty"`
	ReportID        string    `json:"report_id,omitempty"`
	AnnouncementID  string    `json:"announcement_id,omitempty"`
	TargetName      string    `json:"target_name,omitempty"`
	Reason          string    `json:"reason"`
}

func adminActionOf(a *store.AdminAction) AdminAction {
	out := AdminAction{ID: id(a.ID), CreatedAt: a.CreatedAt, Actor: a.Actor, Action: a.Action, Reason: a.Reason,
		TargetName: a.TargetName}
	for _, f := range []struct {
		v   int64
		dst *string
	}{{a.TargetAccountID, &out.TargetAccountID}, {a.TargetStatusID, &out.TargetStatusID}, {a.ReportID, &out.ReportID},
		{a.AnnouncementID, &out.AnnouncementID}} {
		if f.v != 0 {
			*f.dst = id(f.v)
		}
	}
	return out
}

// listActions answers GET /admin/actions (limit, max_id, min_id).
func listActions(m Actions) http.HandlerFunc {
	return listHandler(m, "admin actions", Actions.AdminActions, adminActionOf)
}

// maxActionBody bounds the JSON an action's reason comes in.
const maxActionBody = 16 << 10

// DeletedStatus answers DELETE /admin/statuses/{id}.
type DeletedStatus struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Text      string `json:"text"`
}

// deleteStatus answers DELETE /admin/statuses/{id}, with an optional JSON
// body {"reason": "..."} kept in the audit log.
func deleteStatus(m Actions) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		var req struct {
			Reason string `json:"reason"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxActionBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
			writeJSON(w, http.StatusBadRequest, errorBody{"want no body or a JSON object {reason}: " + err.Error()})
			return
		}
		st, err := m.AdminDeleteStatus(r.Context(), actor(r), n, req.Reason)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, DeletedStatus{ID: id(st.ID), AccountID: id(st.AccountID), Text: st.Text})
	}
}
