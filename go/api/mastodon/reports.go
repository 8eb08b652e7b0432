package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// reportRoutes: reports to the moderators (under /api/v1).
func (h *Handler) reportRoutes(r chi.Router) {
	r.With(h.requireUser("write:reports")).Post("/reports", h.createReport) // POST /api/v1/reports
}

// Report is Mastodon's Report entity.
type Report struct {
	ID            string   `json:"id"`
	ActionTaken   bool     `json:"action_taken"`
	ActionTakenAt *string  `json:"action_taken_at"`
	Category      string   `json:"category"`
	Comment       string   `json:"comment"`
	Forwarded     bool     `json:"forwarded"`
	CreatedAt     string   `json:"created_at"`
	StatusIDs     []string `json:"status_ids"`
	RuleIDs       []string `json:"rule_ids"`
	TargetAccount *Account `json:"target_account"`
}

// reportEntity renders a report with its target account.
func (h *Handler) reportEntity(rp *store.Report, target *store.Account) *Report {
	out := &Report{ID: formatID(rp.ID), ActionTaken: rp.ActionTakenAt != nil, Category: rp.Category,
		Comment: rp.Comment, Forwarded: rp.Forwarded, CreatedAt: formatTime(rp.CreatedAt),
		StatusIDs: formatIDs(rp.StatusIDs), RuleIDs: formatIDs(rp.RuleIDs), TargetAccount: h.account(target)}
	if rp.ActionTakenAt != nil {
		at := formatTime(*rp.ActionTakenAt)
		out.ActionTakenAt = &at
	}
	return out
}

// formatIDs renders IDs as Mastodon's strings; never null.
func formatIDs(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = formatID(id)
	}
	return out
}

type reportRequest struct {
	AccountID string   `param:"account_id"`
	StatusIDs []string `param:"status_ids"`
	Comment   string   `param:"comment"`
	Forward   bool     `param:"forward"`
	Category  string   `param:"category"`
	RuleIDs   []string `param:"rule_ids"`
}

// maxReportRuleIDs bounds rule_ids[] before parsing.
const maxReportRuleIDs = 100

// createReport handles POST /api/v1/reports.
func (h *Handler) createReport(w http.ResponseWriter, r *http.Request) {
	var req reportRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := social.ReportInput{Comment: req.Comment, Forward: req.Forward, Category: req.Category}
	var err error
	if req.AccountID == "" {
		err = &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: account_id can't be blank"}
	} else {
		in.AccountID, err = parseID("account_id", req.AccountID)
	}
	if err == nil && (len(req.StatusIDs) > social.MaxReportStatuses || len(req.RuleIDs) > maxReportRuleIDs) {
		err = &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: too many status_ids or rule_ids"}
	}
	if err == nil {
		in.StatusIDs, err = parseIDs("status_ids", req.StatusIDs)
	}
	if err == nil {
		in.RuleIDs, err = parseIDs("rule_ids", req.RuleIDs)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rp, target, err := h.svc.Report(r.Context(), viewer(r.Context()), in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.reportEntity(rp, target))
}
