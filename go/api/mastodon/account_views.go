package mastodon

import "net/http"

// accountNote handles POST /api/v1/accounts/:id/note (comment; empty or
// absent clears the note): the relationship, with the note.
func (h *Handler) accountNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Comment string `param:"comment"`
	}
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	rel, err := h.svc.SetAccountNote(r.Context(), viewer(r.Context()), id, req.Comment)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, relationship(rel))
}

// accountLists handles GET /api/v1/accounts/:id/lists: the viewer's lists
// that hold the account.
func (h *Handler) accountLists(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ls, err := h.svc.AccountLists(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listEntities(ls))
}

// FamiliarFollowers is Mastodon's FamiliarFollowers entity.
type FamiliarFollowers struct {
	ID       string     `json:"id"`
	Accounts []*Account `json:"accounts"`
}

// maxFamiliarFollowerIDs bounds id[], as relationships bounds its IDs.
const maxFamiliarFollowerIDs = maxRelationshipIDs

// familiarFollowers handles GET /api/v1/accounts/familiar_followers?id[]=…;
// repeated IDs are answered once.
func (h *Handler) familiarFollowers(w http.ResponseWriter, r *http.Request) {
	ids, err := parseAccountIDs(r, maxFamiliarFollowerIDs)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ffs, err := h.svc.FamiliarFollowers(r.Context(), viewer(r.Context()), ids)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]FamiliarFollowers, len(ffs))
	for i, ff := range ffs {
		out[i] = FamiliarFollowers{ID: formatID(ff.ID), Accounts: h.accounts(ff.Accounts)}
	}
	writeJSON(w, http.StatusOK, out)
}

// parseAccountIDs reads id[] (at most maxN, each once, in order).
func parseAccountIDs(r *http.Request, maxN int) ([]int64, error) {
	var req struct {
		IDs []string `param:"id"`
	}
	if err := decodeParams(r, &req); err != nil {
		return nil, err
	}
	if len(req.IDs) > maxN {
		return nil, badRequest("Too many ids: at most " + formatID(int64(maxN)))
	}
	ids, err := parseIDs("id", req.IDs)
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
