package mastodon

import (
	"context"
	"net/http"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// accountList serves a paged list of accounts related to the account or
// status named by {id} (followers, following, favourited_by, reblogged_by).
func (h *Handler) accountList(w http.ResponseWriter, r *http.Request,
	list func(ctx context.Context, v *store.Account, id int64, p store.Page) (*social.AccountPage, error)) {
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
	res, err := list(r.Context(), viewer(r.Context()), id, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeAccountPage(w, r, page, res)
}

// writeAccountPage renders a page of accounts with the Link header of the
// rows (follows, blocks, mutes, requests) it was listed by.
func (h *Handler) writeAccountPage(w http.ResponseWriter, r *http.Request, page store.Page, res *social.AccountPage) {
	if res.Newest != 0 {
		h.setLinkHeader(w, r, page, res.Newest, res.Oldest)
	}
	writeJSON(w, http.StatusOK, h.accounts(res.Accounts))
}

// viewerList serves a paged account list of the viewer's own (blocks,
// mutes, follow requests).
func (h *Handler) viewerList(w http.ResponseWriter, r *http.Request,
	list func(ctx context.Context, v *store.Account, p store.Page) (*social.AccountPage, error)) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := list(r.Context(), viewer(r.Context()), page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeAccountPage(w, r, page, res)
}
