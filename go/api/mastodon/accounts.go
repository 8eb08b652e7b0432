package mastodon

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// accountRoutes: accounts and relationships (under /api/v1). The static
// segments (verify_credentials, relationships, lookup, search) win over
// {id} in chi whatever the order; they come first so it reads that way.
func (h *Handler) accountRoutes(r chi.Router) {
	r.With(h.requireApp("write:accounts")).Post("/accounts", h.registerAccount)                                // POST /api/v1/accounts
	r.With(h.requireUser("read:accounts", "profile")).Get("/accounts/verify_credentials", h.verifyCredentials) // GET /api/v1/accounts/verify_credentials
	r.With(h.requireUser("write:accounts")).Patch("/accounts/update_credentials", h.updateCredentials)         // PATCH /api/v1/accounts/update_credentials
	r.With(h.requireUser("write:accounts")).Delete("/profile/avatar", h.deleteProfileImage(false))             // DELETE /api/v1/profile/avatar
	r.With(h.requireUser("write:accounts")).Delete("/profile/header", h.deleteProfileImage(true))              // DELETE /api/v1/profile/header
	r.With(h.requireUser("read:follows")).Get("/accounts/relationships", h.relationships)                      // GET /api/v1/accounts/relationships
	r.With(h.optionalUser("read:accounts")).Get("/accounts/lookup", h.lookupAccount)                           // GET /api/v1/accounts/lookup
	r.With(h.requireUser("read:accounts")).Get("/accounts/search", h.searchAccounts)                           // GET /api/v1/accounts/search
	r.With(h.requireUser("read:follows")).Get("/accounts/familiar_followers", h.familiarFollowers)             // GET /api/v1/accounts/familiar_followers
	r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}", h.getAccount)                                // GET /api/v1/accounts/:id
	r.With(h.optionalUser("read:statuses")).Get("/accounts/{id}/statuses", h.accountStatuses)                  // GET /api/v1/accounts/:id/statuses
	r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}/followers", h.followers)                       // GET /api/v1/accounts/:id/followers
	r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}/following", h.following)                       // GET /api/v1/accounts/:id/following
	r.With(h.requireUser("write:follows")).Post("/accounts/{id}/follow", h.followAccount)                      // POST /api/v1/accounts/:id/follow
	r.With(h.requireUser("write:follows")).Post("/accounts/{id}/unfollow", h.unfollowAccount)                  // POST /api/v1/accounts/:id/unfollow
	r.With(h.requireUser("write:follows")).Post("/accounts/{id}/remove_from_followers", h.removeFromFollowers) // POST /api/v1/accounts/:id/remove_from_followers
	r.With(h.requireUser("write:blocks")).Post("/accounts/{id}/block", h.blockAccount)                         // POST /api/v1/accounts/:id/block
	r.With(h.requireUser("write:blocks")).Post("/accounts/{id}/unblock", h.unblockAccount)                     // POST /api/v1/accounts/:id/unblock
	r.With(h.requireUser("write:mutes")).Post("/accounts/{id}/mute", h.muteAccount)                            // POST /api/v1/accounts/:id/mute
	r.With(h.requireUser("write:mutes")).Post("/accounts/{id}/unmute", h.unmuteAccount)                        // POST /api/v1/accounts/:id/unmute
	r.With(h.requireUser("write:accounts")).Post("/accounts/{id}/note", h.accountNote)                         // POST /api/v1/accounts/:id/note
	r.With(h.requireUser("read:lists")).Get("/accounts/{id}/lists", h.accountLists)                            // GET /api/v1/accounts/:id/lists
	r.With(h.requireUser("read:blocks")).Get("/blocks", h.listBlocks)                                          // GET /api/v1/blocks
	r.With(h.requireUser("read:mutes")).Get("/mutes", h.listMutes)                                             // GET /api/v1/mutes
	r.With(h.requireUser("read:follows")).Get("/follow_requests", h.listFollowRequests)                        // GET /api/v1/follow_requests
	r.With(h.requireUser("write:follows")).Post("/follow_requests/{id}/authorize", h.authorizeFollowRequest)   // POST /api/v1/follow_requests/:account_id/authorize
	r.With(h.requireUser("write:follows")).Post("/follow_requests/{id}/reject", h.rejectFollowRequest)         // POST /api/v1/follow_requests/:account_id/reject
	r.With(h.requireUser("read:accounts")).Get("/suggestions", h.suggestionsV1)                                // GET /api/v1/suggestions
	r.With(h.requireUser("read:accounts")).Delete("/suggestions/{id}", h.dismissSuggestion)                    // DELETE /api/v1/suggestions/:account_id
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
	c, err := h.svc.Credentials(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.credentialAccount(c))
}

// updateCredentialsRequest uses []string so that an absent field (nil)
// differs from an empty one ("display_name=" clears the name).
type updateCredentialsRequest struct {
	DisplayName      []string     `param:"display_name"`
	Note             []string     `param:"note"`
	Locked           *bool        `param:"locked"`
	Bot              *bool        `param:"bot"`
	Discoverable     *bool        `param:"discoverable"`
	FieldsAttributes paramObjects `param:"fields_attributes"`
	// avatar and header are file parts (decodeFiles). Not implemented yet,
	// so refused when given: the source preferences and the rest.
	Source             notSupported `param:"source"`
	HideCollections    notSupported `param:"hide_collections"`
	Indexable          notSupported `param:"indexable"`
	AttributionDomains notSupported `param:"attribution_domains"`
}

// updateCredentials handles PATCH /api/v1/accounts/update_credentials.
func (h *Handler) updateCredentials(w http.ResponseWriter, r *http.Request) {
	var req updateCredentialsRequest
	files, err := decodeFiles(r, []string{"avatar", "header"}, h.media.MaxBytes, &req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(files) > 0 && !h.uploads() {
		h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity,
			msg: "Validation failed: image uploads are not enabled on this server"})
		return
	}
	in := social.CredentialsInput{Locked: req.Locked, Bot: req.Bot, Discoverable: req.Discoverable,
		Avatar: files["avatar"], Header: files["header"]}
	if len(req.DisplayName) > 0 {
		in.DisplayName = &req.DisplayName[0]
	}
	if len(req.Note) > 0 {
		in.Note = &req.Note[0]
	}
	if in.Fields, err = profileFields(req.FieldsAttributes); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.UpdateCredentials(r.Context(), viewer(r.Context()), in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.credentialAccount(c))
}

// profileFields reads fields_attributes: nil when absent or empty (the
// fields stay; clients clear them by sending empty pairs), else the pairs
// in index order. Only name and value are fields of a pair.
func profileFields(objs paramObjects) (*[]store.ProfileField, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	out := make([]store.ProfileField, 0, len(objs))
	for _, o := range objs {
		for k := range o {
			if k != "name" && k != "value" {
				return nil, &requestError{status: http.StatusUnprocessableEntity,
					msg: "Validation failed: fields_attributes entries take name and value only"}
			}
		}
		out = append(out, store.ProfileField{Name: o["name"], Value: o["value"]})
	}
	return &out, nil
}

// deleteProfileImage handles DELETE /api/v1/profile/avatar (header false)
// and /header: the account as its owner sees it, the image gone.
func (h *Handler) deleteProfileImage(header bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.svc.DeleteProfileImage(r.Context(), viewer(r.Context()), header)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, h.credentialAccount(c))
	}
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

// lookupAccount handles GET /api/v1/accounts/lookup?acct=. An acct naming
// this server's own domain is the local account.
func (h *Handler) lookupAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Acct string `param:"acct"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.LookupAccount(r.Context(), h.localAcct(req.Acct))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.account(a))
}

// localAcct strips "@" + this server's host from acct, leaving other
// domains in place (they name remote accounts).
func (h *Handler) localAcct(acct string) string {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	user, domain, ok := strings.Cut(acct, "@")
	if u, err := url.Parse(h.baseURL); ok && err == nil && strings.EqualFold(domain, u.Host) {
		return user
	}
	return acct
}

type accountSearchRequest struct {
	Q         string `param:"q"`
	Limit     string `param:"limit"`
	Offset    int    `param:"offset"`
	Following bool   `param:"following"`
	Resolve   bool   `param:"resolve"` // accepted; there is no federation to resolve through
}

// Account search's limits: Mastodon defaults to 40 and caps at 80.
const (
	defaultAccountSearchLimit = 40
	maxAccountSearchLimit     = 80
)

// searchAccounts handles GET /api/v1/accounts/search. It pages by offset,
// as Mastodon does, so there is no Link header.
func (h *Handler) searchAccounts(w http.ResponseWriter, r *http.Request) {
	var req accountSearchRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(req.Limit, defaultAccountSearchLimit, maxAccountSearchLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := checkOffset(req.Offset); err != nil {
		h.writeError(w, r, err)
		return
	}
	accts, err := h.svc.SearchAccounts(r.Context(), viewer(r.Context()), social.AccountSearchInput{
		Query: req.Q, Limit: limit, Offset: req.Offset, Following: req.Following,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.accounts(accts))
}

type accountStatusesRequest struct {
	ExcludeReplies bool   `param:"exclude_replies"`
	ExcludeReblogs bool   `param:"exclude_reblogs"`
	OnlyMedia      bool   `param:"only_media"`
	Pinned         bool   `param:"pinned"`
	Tagged         string `param:"tagged"`
}

// accountStatuses handles GET /api/v1/accounts/:id/statuses.
func (h *Handler) accountStatuses(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req accountStatusesRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.AccountStatuses(r.Context(), v, id, social.AccountStatusesInput{
		Page: page, ExcludeReplies: req.ExcludeReplies, ExcludeReblogs: req.ExcludeReblogs,
		OnlyMedia: req.OnlyMedia, Pinned: req.Pinned, Tagged: req.Tagged,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.statusesIn(r.Context(), v, sts, social.FilterAccount)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(sts) > 0 {
		h.setLinkHeader(w, r, page, sts[0].ID, sts[len(sts)-1].ID)
	}
	writeJSON(w, http.StatusOK, out)
}

// followers handles GET /api/v1/accounts/:id/followers.
func (h *Handler) followers(w http.ResponseWriter, r *http.Request) {
	h.accountList(w, r, h.svc.Followers)
}

// following handles GET /api/v1/accounts/:id/following.
func (h *Handler) following(w http.ResponseWriter, r *http.Request) {
	h.accountList(w, r, h.svc.Following)
}

type followRequest struct {
	Reblogs *bool `param:"reblogs"`
	Notify  *bool `param:"notify"`
	// Not implemented: home shows a followed account's posts in every language.
	Languages notSupported `param:"languages"`
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
	h.relationshipAction(w, r, h.svc.Unfollow)
}

// removeFromFollowers handles POST /api/v1/accounts/:id/remove_from_followers.
func (h *Handler) removeFromFollowers(w http.ResponseWriter, r *http.Request) {
	h.relationshipAction(w, r, h.svc.RemoveFromFollowers)
}
