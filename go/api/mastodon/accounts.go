package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// accountRoutes: accounts and relationships (under /api/v1).
func (h *Handler) accountRoutes(r chi.Router) {
	r.With(h.requireApp("write:accounts")).Post("/accounts", h.registerAccount)                     // POST /api/v1/accounts
	r.With(h.requireUser("read:accounts")).Get("/accounts/verify_credentials", h.verifyCredentials) // GET /api/v1/accounts/verify_credentials
	r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}", h.getAccount)                     // GET /api/v1/accounts/:id
	r.With(h.requireUser("write:follows")).Post("/accounts/{id}/follow", h.followAccount)           // POST /api/v1/accounts/:id/follow
	r.With(h.requireUser("write:follows")).Post("/accounts/{id}/unfollow", h.unfollowAccount)       // POST /api/v1/accounts/:id/unfollow
}

type registerRequest struct {
	Username  string `param:"username"`
	Email     string `param:"email"`
	Password  string `param:"password"`
	Agreement bool   `param:"agreement"`
	Locale    string `param:"locale"`
	Reason    string `param:"reason"`
}

// registerAccount handles POST /api/v1/accounts. Email is accepted for
// client compatibility but not stored: there is no mail confirmation yet.
func (h *Handler) registerAccount(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	sess, _ := sessionFrom(r.Context())
	tok, err := h.svc.Register(r.Context(), sess, social.NewAccount{Username: req.Username, Password: req.Password})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, token(tok))
}

// verifyCredentials handles GET /api/v1/accounts/verify_credentials.
func (h *Handler) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.credentialAccount(viewer(r.Context())))
}

// getAccount handles GET /api/v1/accounts/:id.
func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.GetAccount(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.account(a))
}

type followRequest struct {
	Reblogs *bool `param:"reblogs"`
	Notify  *bool `param:"notify"`
}

// followAccount handles POST /api/v1/accounts/:id/follow.
func (h *Handler) followAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req followRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	rel, err := h.svc.Follow(r.Context(), viewer(r.Context()), id, social.FollowOptions{Reblogs: req.Reblogs, Notify: req.Notify})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, relationship(rel))
}

// unfollowAccount handles POST /api/v1/accounts/:id/unfollow.
func (h *Handler) unfollowAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rel, err := h.svc.Unfollow(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, relationship(rel))
}
