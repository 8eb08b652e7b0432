package mastodon

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// pollRoutes: polls (under /api/v1).
func (h *Handler) pollRoutes(r chi.Router) {
	r.With(h.optionalUser("read:statuses")).Get("/polls/{id}", h.getPoll)     // GET /api/v1/polls/:id
	r.With(h.requireUser("write:statuses")).Post("/polls/{id}/votes", h.vote) // POST /api/v1/polls/:id/votes
}

// getPoll handles GET /api/v1/polls/:id.
func (h *Handler) getPoll(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	p, err := h.svc.GetPoll(r.Context(), v, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pollEntity(p, v != nil))
}

// vote handles POST /api/v1/polls/:id/votes.
func (h *Handler) vote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Choices []string `param:"choices"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(req.Choices) > social.MaxPollOptions {
		h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: too many choices"})
		return
	}
	choices := make([]int, 0, len(req.Choices))
	for _, c := range req.Choices {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil {
			h.writeError(w, r, badRequest("Parameter choices must be option indexes"))
			return
		}
		choices = append(choices, n)
	}
	p, err := h.svc.Vote(r.Context(), viewer(r.Context()), id, choices)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pollEntity(p, true))
}

// pollInput is the poll of a new status, nil when none: no option given
// (clients send empty poll objects by default).
func pollInput(options []string, expiresIn string, multiple, hideTotals bool) (*social.PollInput, error) {
	if !nonEmpty(options) {
		return nil, nil
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(expiresIn), 10, 64)
	if err != nil || secs < 0 || secs > int64(social.MaxPollExpiration.Seconds()) {
		return nil, &requestError{status: http.StatusUnprocessableEntity,
			msg: "Validation failed: poll[expires_in] must be a number of seconds within the instance's limits"}
	}
	return &social.PollInput{Options: options, ExpiresIn: time.Duration(secs) * time.Second, Multiple: multiple, HideTotals: hideTotals}, nil
}
