package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// forYouListID is the ID of the virtual "For you" list: not a number, so it
// never collides with a stored list. Mastodon IDs are strings, so clients
// carry it as they carry any list ID.
const forYouListID = "for_you"

// forYouRoutes: the For-you timeline (a Starling extension) and the
// virtual list that shows it in any Mastodon app (under /api/v1). chi
// matches these static paths before /lists/{id}.
func (h *Handler) forYouRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/timelines/for_you", h.forYouTimeline)                    // GET /api/v1/timelines/for_you (Starling)
	r.With(h.requireUser("read:lists")).Get("/timelines/list/"+forYouListID, h.forYouTimeline)            // GET /api/v1/timelines/list/:list_id
	r.With(h.requireUser("read:lists")).Get("/lists/"+forYouListID, h.forYouList)                         // GET /api/v1/lists/:id
	r.With(h.requireUser("write:lists")).Put("/lists/"+forYouListID, h.forYouListReadOnly)                // PUT /api/v1/lists/:id
	r.With(h.requireUser("write:lists")).Delete("/lists/"+forYouListID, h.forYouListReadOnly)             // DELETE /api/v1/lists/:id
	r.With(h.requireUser("read:lists")).Get("/lists/"+forYouListID+"/accounts", h.forYouMembers)          // GET /api/v1/lists/:id/accounts
	r.With(h.requireUser("write:lists")).Post("/lists/"+forYouListID+"/accounts", h.forYouListReadOnly)   // POST /api/v1/lists/:id/accounts
	r.With(h.requireUser("write:lists")).Delete("/lists/"+forYouListID+"/accounts", h.forYouListReadOnly) // DELETE /api/v1/lists/:id/accounts
}

// forYouListEntity is the virtual list as Mastodon's List entity.
func forYouListEntity() *List {
	return &List{ID: forYouListID, Title: "For you", RepliesPolicy: "none", Exclusive: false}
}

// forYouTimeline handles GET /api/v1/timelines/for_you and GET
// /api/v1/timelines/list/for_you: the viewer's recommendations, best first,
// paged by max_id through the Link header.
func (h *Handler) forYouTimeline(w http.ResponseWriter, r *http.Request) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.ForYou(r.Context(), v, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatusPage(w, r, v, page, sts, social.FilterHome)
}

// forYouList handles GET /api/v1/lists/for_you.
func (h *Handler) forYouList(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, forYouListEntity())
}

// forYouMembers handles GET /api/v1/lists/for_you/accounts: the list is
// chosen by Starling, not by members, so it has none.
func (h *Handler) forYouMembers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []*Account{})
}

// forYouListReadOnly answers every change to the virtual list: it is
// Starling's, so it cannot be renamed, deleted or given members.
func (h *Handler) forYouListReadOnly(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity,
		msg: "The For you list is built by Starling: it cannot be edited, deleted or given members"})
}
