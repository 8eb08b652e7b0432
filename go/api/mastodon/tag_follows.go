package mastodon

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// tagFollowRoutes: followed and featured hashtags (under /api/v1).
func (h *Handler) tagFollowRoutes(r chi.Router) {
	r.With(h.requireUser("write:follows")).Post("/tags/{name}/follow", h.followTag)                    // POST /api/v1/tags/:id/follow
	r.With(h.requireUser("write:follows")).Post("/tags/{name}/unfollow", h.unfollowTag)                // POST /api/v1/tags/:id/unfollow
	r.With(h.requireUser("read:follows")).Get("/followed_tags", h.followedTags)                        // GET /api/v1/followed_tags
	r.With(h.requireUser("read:accounts")).Get("/featured_tags", h.ownFeaturedTags)                    // GET /api/v1/featured_tags
	r.With(h.requireUser("write:accounts")).Post("/featured_tags", h.featureTag)                       // POST /api/v1/featured_tags
	r.With(h.requireUser("write:accounts")).Delete("/featured_tags/{id}", h.unfeatureTag)              // DELETE /api/v1/featured_tags/:id
	r.With(h.requireUser("read:accounts")).Get("/featured_tags/suggestions", h.featuredTagSuggestions) // GET /api/v1/featured_tags/suggestions
	r.With(h.optionalUser("read:accounts")).Get("/accounts/{id}/featured_tags", h.accountFeaturedTags) // GET /api/v1/accounts/:id/featured_tags
}

// followTag handles POST /api/v1/tags/:id/follow.
func (h *Handler) followTag(w http.ResponseWriter, r *http.Request) {
	h.tagAction(w, r, h.svc.FollowTag)
}

// unfollowTag handles POST /api/v1/tags/:id/unfollow.
func (h *Handler) unfollowTag(w http.ResponseWriter, r *http.Request) {
	h.tagAction(w, r, h.svc.UnfollowTag)
}

// tagAction runs a per-tag service call on {name} and renders the tag.
func (h *Handler) tagAction(w http.ResponseWriter, r *http.Request,
	act func(ctx context.Context, v *store.Account, name string) (*social.Tag, error)) {
	t, err := act(r.Context(), viewer(r.Context()), chi.URLParam(r, "name"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.hashtag(t))
}

// Followed tags page like Mastodon's: 100 by default, at most 200.
const (
	defaultFollowedTagsLimit = 100
	maxFollowedTagsLimit     = 200
)

// followedTags handles GET /api/v1/followed_tags, paged by the follow.
func (h *Handler) followedTags(w http.ResponseWriter, r *http.Request) {
	page, err := parsePageLimit(r, defaultFollowedTagsLimit, maxFollowedTagsLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tags, cur, err := h.svc.FollowedTags(r.Context(), viewer(r.Context()), page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if cur.Newest != 0 {
		h.setLinkHeader(w, r, page, cur.Newest, cur.Oldest)
	}
	writeJSON(w, http.StatusOK, h.hashtags(tags))
}

// FeaturedTag is Mastodon's FeaturedTag entity; statuses_count is a string
// there, as here.
type FeaturedTag struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	URL           string  `json:"url"`
	StatusesCount string  `json:"statuses_count"`
	LastStatusAt  *string `json:"last_status_at"`
}

// featuredTags renders featured tags; their URL is the owner's profile
// filtered by the tag, as Mastodon links them.
func (h *Handler) featuredTags(owner *store.Account, fts []*social.FeaturedTag) []FeaturedTag {
	out := make([]FeaturedTag, len(fts))
	for i, ft := range fts {
		out[i] = FeaturedTag{ID: formatID(ft.ID), Name: ft.Name,
			URL:           h.baseURL + "/@" + owner.Username + "/tagged/" + ft.Name,
			StatusesCount: formatID(ft.StatusesCount)}
		if ft.LastStatusAt != nil {
			day := ft.LastStatusAt.UTC().Format(time.DateOnly)
			out[i].LastStatusAt = &day
		}
	}
	return out
}

// ownFeaturedTags handles GET /api/v1/featured_tags.
func (h *Handler) ownFeaturedTags(w http.ResponseWriter, r *http.Request) {
	h.writeFeaturedTags(w, r, viewer(r.Context()).ID)
}

// accountFeaturedTags handles GET /api/v1/accounts/:id/featured_tags.
func (h *Handler) accountFeaturedTags(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeFeaturedTags(w, r, id)
}

// writeFeaturedTags renders accountID's featured tags.
func (h *Handler) writeFeaturedTags(w http.ResponseWriter, r *http.Request, accountID int64) {
	owner, fts, err := h.svc.FeaturedTags(r.Context(), accountID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.featuredTags(owner, fts))
}

// featureTag handles POST /api/v1/featured_tags (name).
func (h *Handler) featureTag(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `param:"name"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	ft, err := h.svc.FeatureTag(r.Context(), v, req.Name)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.featuredTags(v, []*social.FeaturedTag{ft})[0])
}

// unfeatureTag handles DELETE /api/v1/featured_tags/:id; it answers {}.
func (h *Handler) unfeatureTag(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.UnfeatureTag(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// featuredTagSuggestions handles GET /api/v1/featured_tags/suggestions.
func (h *Handler) featuredTagSuggestions(w http.ResponseWriter, r *http.Request) {
	tags, err := h.svc.FeaturedTagSuggestions(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.hashtags(tags))
}
