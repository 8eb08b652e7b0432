package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// domainBlockRoutes: the domains an account blocks (under /api/v1). Mastodon
// takes read:blocks or follow, write:blocks or follow.
func (h *Handler) domainBlockRoutes(r chi.Router) {
	r.With(h.requireUser("read:blocks", "follow")).Get("/domain_blocks", h.domainBlocks)      // GET /api/v1/domain_blocks
	r.With(h.requireUser("write:blocks", "follow")).Post("/domain_blocks", h.blockDomain)     // POST /api/v1/domain_blocks
	r.With(h.requireUser("write:blocks", "follow")).Delete("/domain_blocks", h.unblockDomain) // DELETE /api/v1/domain_blocks
}

// Domain blocks page like Mastodon's: 100 by default, at most 200.
const (
	defaultDomainBlocksLimit = 100
	maxDomainBlocksLimit     = 200
)

// domainBlocks handles GET /api/v1/domain_blocks: the blocked domains as
// strings, paged by the block (Link header).
func (h *Handler) domainBlocks(w http.ResponseWriter, r *http.Request) {
	page, err := parsePageLimit(r, defaultDomainBlocksLimit, maxDomainBlocksLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	domains, cur, err := h.svc.DomainBlocks(r.Context(), viewer(r.Context()), page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if cur.Newest != 0 {
		h.setLinkHeader(w, r, page, cur.Newest, cur.Oldest)
	}
	writeJSON(w, http.StatusOK, domains)
}

type domainRequest struct {
	Domain string `param:"domain"`
}

// blockDomain handles POST /api/v1/domain_blocks (domain); it answers {}.
func (h *Handler) blockDomain(w http.ResponseWriter, r *http.Request) {
	var req domainRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.BlockDomain(r.Context(), viewer(r.Context()), req.Domain); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// unblockDomain handles DELETE /api/v1/domain_blocks (domain); it answers {}.
func (h *Handler) unblockDomain(w http.ResponseWriter, r *http.Request) {
	var req domainRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.UnblockDomain(r.Context(), viewer(r.Context()), req.Domain); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
