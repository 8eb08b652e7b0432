package mastodon

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// listRoutes: lists and their members (under /api/v1).
func (h *Handler) listRoutes(r chi.Router) {
	r.With(h.requireUser("read:lists")).Get("/lists", h.lists)                                // GET /api/v1/lists
	r.With(h.requireUser("write:lists")).Post("/lists", h.createList)                         // POST /api/v1/lists
	r.With(h.requireUser("read:lists")).Get("/lists/{id}", h.getList)                         // GET /api/v1/lists/:id
	r.With(h.requireUser("write:lists")).Put("/lists/{id}", h.updateList)                     // PUT /api/v1/lists/:id
	r.With(h.requireUser("write:lists")).Delete("/lists/{id}", h.deleteList)                  // DELETE /api/v1/lists/:id
	r.With(h.requireUser("read:lists")).Get("/lists/{id}/accounts", h.listAccounts)           // GET /api/v1/lists/:id/accounts
	r.With(h.requireUser("write:lists")).Post("/lists/{id}/accounts", h.addListAccounts)      // POST /api/v1/lists/:id/accounts
	r.With(h.requireUser("write:lists")).Delete("/lists/{id}/accounts", h.removeListAccounts) // DELETE /api/v1/lists/:id/accounts
}

// listRequest is a list's parameters; an absent or empty string leaves
// the field as it is on update.
type listRequest struct {
	Title         string `param:"title"`
	RepliesPolicy string `param:"replies_policy"`
	Exclusive     *bool  `param:"exclusive"`
}

func (req listRequest) input() social.ListInput {
	in := social.ListInput{Exclusive: req.Exclusive}
	if req.Title != "" {
		in.Title = &req.Title
	}
	if req.RepliesPolicy != "" {
		in.RepliesPolicy = &req.RepliesPolicy
	}
	return in
}

// lists handles GET /api/v1/lists.
func (h *Handler) lists(w http.ResponseWriter, r *http.Request) {
	ls, err := h.svc.Lists(r.Context(), viewer(r.Context()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The virtual For-you list comes first, so every app shows it.
	writeJSON(w, http.StatusOK, append([]*List{forYouListEntity()}, listEntities(ls)...))
}

// createList handles POST /api/v1/lists.
func (h *Handler) createList(w http.ResponseWriter, r *http.Request) {
	var req listRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	l, err := h.svc.CreateList(r.Context(), viewer(r.Context()), req.input())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listEntity(l))
}

// getList handles GET /api/v1/lists/:id.
func (h *Handler) getList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l, err := h.svc.GetList(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listEntity(l))
}

// updateList handles PUT /api/v1/lists/:id.
func (h *Handler) updateList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req listRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	l, err := h.svc.UpdateList(r.Context(), viewer(r.Context()), id, req.input())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listEntity(l))
}

// deleteList handles DELETE /api/v1/lists/:id.
func (h *Handler) deleteList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.DeleteList(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// listAccounts handles GET /api/v1/lists/:id/accounts; limit=0 means all,
// as in Mastodon.
func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("limit") == "0" {
		page.Limit = 0
	}
	accts, err := h.svc.ListAccounts(r.Context(), viewer(r.Context()), id, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(accts) > 0 && page.Limit > 0 {
		h.setLinkHeader(w, r, page, accts[0].ID, accts[len(accts)-1].ID)
	}
	out := make([]*Account, len(accts))
	for i, a := range accts {
		out[i] = h.account(a)
	}
	writeJSON(w, http.StatusOK, out)
}

type listAccountsRequest struct {
	AccountIDs []string `param:"account_ids"`
}

// listAccountIDs reads account_ids[]; a malformed ID names no account (404).
func listAccountIDs(r *http.Request) ([]int64, error) {
	var req listAccountsRequest
	if err := decodeParams(r, &req); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(req.AccountIDs))
	for _, s := range req.AccountIDs {
		id, err := parseID("account_ids", s)
		if err != nil {
			return nil, &requestError{status: http.StatusNotFound, msg: "Record not found"}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// addListAccounts handles POST /api/v1/lists/:id/accounts.
func (h *Handler) addListAccounts(w http.ResponseWriter, r *http.Request) {
	h.changeListAccounts(w, r, h.svc.AddListAccounts)
}

// removeListAccounts handles DELETE /api/v1/lists/:id/accounts.
func (h *Handler) removeListAccounts(w http.ResponseWriter, r *http.Request) {
	h.changeListAccounts(w, r, h.svc.RemoveListAccounts)
}

func (h *Handler) changeListAccounts(w http.ResponseWriter, r *http.Request,
	change func(ctx context.Context, v *store.Account, id int64, accountIDs []int64) error) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ids, err := listAccountIDs(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := change(r.Context(), viewer(r.Context()), id, ids); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
