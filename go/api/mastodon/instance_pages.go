package mastodon

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// instancePageRoutes: what clients read about the server beside the
// instance entity (under /api/v1). All are public.
func (h *Handler) instancePageRoutes(r chi.Router) {
	r.Get("/instance/rules", h.instanceRules)                      // GET /api/v1/instance/rules
	r.Get("/instance/extended_description", h.extendedDescription) // GET /api/v1/instance/extended_description
	r.Get("/instance/peers", h.instancePeers)                      // GET /api/v1/instance/peers
	r.Get("/instance/domain_blocks", h.instanceDomainBlocks)       // GET /api/v1/instance/domain_blocks
	r.Get("/instance/activity", h.instanceActivity)                // GET /api/v1/instance/activity
	r.Get("/custom_emojis", h.customEmojis)                        // GET /api/v1/custom_emojis
}

// Rule is Mastodon's Rule entity.
type Rule struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Hint string `json:"hint"`
}

// rules renders the instance's rules; never null.
func (h *Handler) rules() []Rule {
	rs := h.svc.Config().Rules
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = Rule{ID: strconv.FormatInt(r.ID, 10), Text: r.Text, Hint: r.Hint}
	}
	return out
}

// instanceRules handles GET /api/v1/instance/rules: the operator's rules
// (--instance-rules), none by default.
func (h *Handler) instanceRules(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.rules())
}

// ExtendedDescription is Mastodon's ExtendedDescription entity; without one
// set, updated_at is null and content empty, as Mastodon answers.
type ExtendedDescription struct {
	UpdatedAt *string `json:"updated_at"`
	Content   string  `json:"content"`
}

// extendedDescription handles GET /api/v1/instance/extended_description
// (--instance-extended-description).
func (h *Handler) extendedDescription(w http.ResponseWriter, _ *http.Request) {
	out := ExtendedDescription{}
	if d := h.info.ExtendedDescription; d != "" {
		at := formatTime(h.info.ExtendedDescriptionUpdatedAt)
		out.UpdatedAt, out.Content = &at, social.RenderNote(d)
	}
	writeJSON(w, http.StatusOK, out)
}

// instanceDomainBlocks handles GET /api/v1/instance/domain_blocks: the
// domains the server blocks, none, since it does not federate.
func (h *Handler) instanceDomainBlocks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []struct{}{})
}

// instancePeers handles GET /api/v1/instance/peers: Starling does not
// federate, so it knows no other server.
func (h *Handler) instancePeers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []string{})
}

// ActivityWeek is one week of Mastodon's instance activity; every value is
// a string there.
type ActivityWeek struct {
	Week          string `json:"week"`
	Statuses      string `json:"statuses"`
	Logins        string `json:"logins"`
	Registrations string `json:"registrations"`
}

// instanceActivity handles GET /api/v1/instance/activity: twelve weeks,
// newest first, counted at most hourly.
func (h *Handler) instanceActivity(w http.ResponseWriter, r *http.Request) {
	weeks, err := h.svc.InstanceActivity(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]ActivityWeek, len(weeks))
	for i, wk := range weeks {
		out[i] = ActivityWeek{Week: strconv.FormatInt(wk.Week.Unix(), 10), Statuses: formatID(wk.Statuses),
			Logins: formatID(wk.Logins), Registrations: formatID(wk.Registrations)}
	}
	writeJSON(w, http.StatusOK, out)
}

// customEmojis handles GET /api/v1/custom_emojis: there are no custom
// emoji on Starling yet.
func (h *Handler) customEmojis(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []struct{}{})
}

// trendingLinks handles GET /api/v1/trends/links: Starling makes no link
// previews, so no link trends; limit and offset are still checked.
func (h *Handler) trendingLinks(w http.ResponseWriter, r *http.Request) {
	if _, _, err := parseTrendPage(r, defaultLimit, maxLimit); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, []struct{}{})
}
