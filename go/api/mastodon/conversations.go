package mastodon

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// conversationRoutes: direct-message conversations (under /api/v1).
func (h *Handler) conversationRoutes(r chi.Router) {
	r.With(h.requireUser("read:statuses")).Get("/conversations", h.listConversations)                 // GET /api/v1/conversations
	r.With(h.requireUser("write:conversations")).Delete("/conversations/{id}", h.deleteConversation)  // DELETE /api/v1/conversations/:id
	r.With(h.requireUser("write:conversations")).Post("/conversations/{id}/read", h.readConversation) // POST /api/v1/conversations/:id/read
}

// Conversation is Mastodon's Conversation entity.
type Conversation struct {
	ID         string     `json:"id"`
	Unread     bool       `json:"unread"`
	Accounts   []*Account `json:"accounts"`
	LastStatus *Status    `json:"last_status"`
}

// conversations renders a batch, their last statuses hydrated together.
func (h *Handler) conversations(ctx context.Context, v *store.Account, cs []*social.Conversation) ([]*Conversation, error) {
	var sts []*store.Status
	for _, c := range cs {
		if c.LastStatus != nil {
			sts = append(sts, c.LastStatus)
		}
	}
	rendered, err := h.statuses(ctx, v, sts)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Status, len(rendered))
	for _, s := range rendered {
		byID[s.ID] = s
	}
	out := make([]*Conversation, len(cs))
	for i, c := range cs {
		e := &Conversation{ID: formatID(c.ID), Unread: c.Unread, Accounts: make([]*Account, len(c.Accounts))}
		for j, a := range c.Accounts {
			e.Accounts[j] = h.account(a)
		}
		if c.LastStatus != nil {
			e.LastStatus = byID[formatID(c.LastStatus.ID)]
		}
		out[i] = e
	}
	return out, nil
}

// listConversations handles GET /api/v1/conversations, paged by the
// conversations' last statuses.
func (h *Handler) listConversations(w http.ResponseWriter, r *http.Request) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	cs, cur, err := h.svc.Conversations(r.Context(), v, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.conversations(r.Context(), v, cs)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if cur.Newest != 0 {
		h.setLinkHeader(w, r, page, cur.Newest, cur.Oldest)
	}
	writeJSON(w, http.StatusOK, out)
}

// readConversation handles POST /api/v1/conversations/:id/read.
func (h *Handler) readConversation(w http.ResponseWriter, r *http.Request) {
	renderByID(h, w, r, func(ctx context.Context, v *store.Account, id int64) (*Conversation, error) {
		c, err := h.svc.ReadConversation(ctx, v, id)
		if err != nil {
			return nil, err
		}
		out, err := h.conversations(ctx, v, []*social.Conversation{c})
		if err != nil {
			return nil, err
		}
		return out[0], nil
	}, func(c *Conversation) *Conversation { return c })
}

// deleteConversation handles DELETE /api/v1/conversations/:id; it answers {}.
func (h *Handler) deleteConversation(w http.ResponseWriter, r *http.Request) {
	h.deleteByID(w, r, h.svc.DeleteConversation)
}
