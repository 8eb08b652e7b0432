package mastodon

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// statusRoutes: statuses and what is done with them (under /api/v1).
func (h *Handler) statusRoutes(r chi.Router) {
	r.With(h.requireUser("write:statuses")).Post("/statuses", h.createStatus)                   // POST /api/v1/statuses
	r.With(h.optionalUser("read:statuses")).Get("/statuses", h.getStatuses)                     // GET /api/v1/statuses?id[]=
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}", h.getStatus)                  // GET /api/v1/statuses/:id
	r.With(h.requireUser("write:statuses")).Delete("/statuses/{id}", h.deleteStatus)            // DELETE /api/v1/statuses/:id
	r.With(h.requireUser("write:statuses")).Put("/statuses/{id}", h.editStatus)                 // PUT /api/v1/statuses/:id
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}/history", h.statusHistory)      // GET /api/v1/statuses/:id/history
	r.With(h.requireUser("read:statuses")).Get("/statuses/{id}/source", h.statusSource)         // GET /api/v1/statuses/:id/source
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}/context", h.statusContext)      // GET /api/v1/statuses/:id/context
	r.With(h.requireUser("read:statuses")).Get("/statuses/{id}/similar", h.similarStatuses)     // GET /api/v1/statuses/:id/similar (Starling extension)
	r.With(h.requireUser("write:favourites")).Post("/statuses/{id}/favourite", h.favourite)     // POST /api/v1/statuses/:id/favourite
	r.With(h.requireUser("write:favourites")).Post("/statuses/{id}/unfavourite", h.unfavourite) // POST /api/v1/statuses/:id/unfavourite
	r.With(h.requireUser("write:statuses")).Post("/statuses/{id}/reblog", h.reblog)             // POST /api/v1/statuses/:id/reblog
	r.With(h.requireUser("write:statuses")).Post("/statuses/{id}/unreblog", h.unreblog)         // POST /api/v1/statuses/:id/unreblog
	r.With(h.requireUser("write:bookmarks")).Post("/statuses/{id}/bookmark", h.bookmark)        // POST /api/v1/statuses/:id/bookmark
	r.With(h.requireUser("write:bookmarks")).Post("/statuses/{id}/unbookmark", h.unbookmark)    // POST /api/v1/statuses/:id/unbookmark
	r.With(h.requireUser("write:accounts")).Post("/statuses/{id}/pin", h.pin)                   // POST /api/v1/statuses/:id/pin
	r.With(h.requireUser("write:accounts")).Post("/statuses/{id}/unpin", h.unpin)               // POST /api/v1/statuses/:id/unpin
	r.With(h.requireUser("write:mutes")).Post("/statuses/{id}/mute", h.muteConversation)        // POST /api/v1/statuses/:id/mute
	r.With(h.requireUser("write:mutes")).Post("/statuses/{id}/unmute", h.unmuteConversation)    // POST /api/v1/statuses/:id/unmute
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}/favourited_by", h.favouritedBy) // GET /api/v1/statuses/:id/favourited_by
	r.With(h.optionalUser("read:statuses")).Get("/statuses/{id}/reblogged_by", h.rebloggedBy)   // GET /api/v1/statuses/:id/reblogged_by
	r.With(h.requireUser("read:favourites")).Get("/favourites", h.favourites)                   // GET /api/v1/favourites
	r.With(h.requireUser("read:bookmarks")).Get("/bookmarks", h.bookmarks)                      // GET /api/v1/bookmarks
}

type createStatusRequest struct {
	Status      string   `param:"status"`
	InReplyToID string   `param:"in_reply_to_id"`
	Sensitive   *bool    `param:"sensitive"`
	SpoilerText string   `param:"spoiler_text"`
	Visibility  string   `param:"visibility"`
	Language    string   `param:"language"`
	MediaIDs    []string `param:"media_ids"`
	// The poll: a JSON poll object flattens to the same names.
	PollOptions    []string `param:"poll[options]"`
	PollExpiresIn  string   `param:"poll[expires_in]"`
	PollMultiple   bool     `param:"poll[multiple]"`
	PollHideTotals bool     `param:"poll[hide_totals]"`
	// ScheduledAt, when given, schedules the status instead (a
	// ScheduledStatus is answered).
	ScheduledAt         string       `param:"scheduled_at"`
	QuotedStatusID      notSupported `param:"quoted_status_id"`
	QuoteApprovalPolicy notSupported `param:"quote_approval_policy"`
}

// createStatus handles POST /api/v1/statuses.
func (h *Handler) createStatus(w http.ResponseWriter, r *http.Request) {
	var req createStatusRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	key, err := headerText(r, "Idempotency-Key")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	in := social.StatusInput{
		Text: req.Status, Sensitive: req.Sensitive != nil && *req.Sensitive, SensitiveGiven: req.Sensitive != nil,
		SpoilerText: req.SpoilerText, Visibility: req.Visibility, Language: req.Language, IdempotencyKey: key,
	}
	if req.InReplyToID != "" {
		id, err := parseID("in_reply_to_id", req.InReplyToID)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		in.InReplyToID = id
	}
	if in.MediaIDs, err = parseMediaIDs(req.MediaIDs); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.Poll, err = pollInput(req.PollOptions, req.PollExpiresIn, req.PollMultiple, req.PollHideTotals); err != nil {
		h.writeError(w, r, err)
		return
	}
	author := viewer(r.Context())
	at, err := parseScheduledAt(req.ScheduledAt)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !at.IsZero() {
		v, err := h.svc.ScheduleStatus(r.Context(), author, in, at)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, h.scheduledStatusEntity(v))
		return
	}
	st, err := h.svc.PostStatus(r.Context(), author, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, author, []*store.Status{st}, false)
}

// getStatus handles GET /api/v1/statuses/:id.
func (h *Handler) getStatus(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.GetStatus)
}

type deleteStatusRequest struct {
	// DeleteMedia deletes the attachments too; by default they become
	// unposted uploads again, for the redraft.
	DeleteMedia bool `param:"delete_media"`
}

// deleteStatus handles DELETE /api/v1/statuses/:id: the deleted status,
// with its source text and attachments so the client can offer "delete and
// redraft".
func (h *Handler) deleteStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req deleteStatusRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	st, media, err := h.svc.RedraftStatus(r.Context(), v, id, req.DeleteMedia)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The status is gone, so it is rendered from the returned row; counts
	// and flags no longer mean anything and stay as they were.
	views, err := h.svc.ViewStatuses(r.Context(), v, []*store.Status{st})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(views) == 0 {
		notFoundHandler(w, r)
		return
	}
	out := h.statusView(v, views[0])
	out.Text = &st.Text
	// The attachments left the status with it: shown from what it had.
	out.MediaAttachments = make([]*MediaAttachment, 0, len(media))
	for _, m := range media {
		out.MediaAttachments = append(out.MediaAttachments, h.mediaAttachment(m))
	}
	writeJSON(w, http.StatusOK, out)
}

// statusAction runs a per-status service call on {id} and renders the
// status it returns: favourite, reblog, bookmark and their undos share it.
func (h *Handler) statusAction(w http.ResponseWriter, r *http.Request,
	act func(ctx context.Context, v *store.Account, id int64) (*store.Status, error)) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	st, err := act(r.Context(), v, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, v, []*store.Status{st}, false)
}

// favourite handles POST /api/v1/statuses/:id/favourite.
func (h *Handler) favourite(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.Favourite)
}

// unfavourite handles POST /api/v1/statuses/:id/unfavourite.
func (h *Handler) unfavourite(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.Unfavourite)
}

// bookmark handles POST /api/v1/statuses/:id/bookmark.
func (h *Handler) bookmark(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.Bookmark)
}

// unbookmark handles POST /api/v1/statuses/:id/unbookmark.
func (h *Handler) unbookmark(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.Unbookmark)
}

// unreblog handles POST /api/v1/statuses/:id/unreblog.
func (h *Handler) unreblog(w http.ResponseWriter, r *http.Request) {
	h.statusAction(w, r, h.svc.Unreblog)
}

type reblogRequest struct {
	Visibility string `param:"visibility"`
}

// reblog handles POST /api/v1/statuses/:id/reblog: the new reblog, with
// the original nested in it.
func (h *Handler) reblog(w http.ResponseWriter, r *http.Request) {
	var req reblogRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.statusAction(w, r, func(ctx context.Context, v *store.Account, id int64) (*store.Status, error) {
		return h.svc.Reblog(ctx, v, id, req.Visibility)
	})
}

// statusContext handles GET /api/v1/statuses/:id/context.
func (h *Handler) statusContext(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	up, down, err := h.svc.StatusContext(r.Context(), v, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := Context{}
	if out.Ancestors, err = h.statusesIn(r.Context(), v, up, social.FilterThread); err == nil {
		out.Descendants, err = h.statusesIn(r.Context(), v, down, social.FilterThread)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// similarRequest is GET /api/v1/statuses/:id/similar's query.
type similarRequest struct {
	Limit string `param:"limit"`
}

// similarStatuses handles GET /api/v1/statuses/:id/similar, "more like
// this" (a Starling extension): limit (20, at most 40), no paging.
func (h *Handler) similarStatuses(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req similarRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(req.Limit, defaultLimit, maxLimit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, err := h.svc.SimilarStatuses(r.Context(), v, id, limit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, v, sts, true)
}

// favouritedBy handles GET /api/v1/statuses/:id/favourited_by.
func (h *Handler) favouritedBy(w http.ResponseWriter, r *http.Request) {
	h.accountList(w, r, h.svc.FavouritedBy)
}

// rebloggedBy handles GET /api/v1/statuses/:id/reblogged_by.
func (h *Handler) rebloggedBy(w http.ResponseWriter, r *http.Request) {
	h.accountList(w, r, h.svc.RebloggedBy)
}

// favourites handles GET /api/v1/favourites.
func (h *Handler) favourites(w http.ResponseWriter, r *http.Request) {
	h.markedStatuses(w, r, h.svc.Favourites)
}

// bookmarks handles GET /api/v1/bookmarks.
func (h *Handler) bookmarks(w http.ResponseWriter, r *http.Request) {
	h.markedStatuses(w, r, h.svc.Bookmarks)
}

// markedStatuses renders the viewer's favourites or bookmarks, paged by
// the favourite or bookmark ID (Mastodon's Link header does the same).
func (h *Handler) markedStatuses(w http.ResponseWriter, r *http.Request,
	list func(ctx context.Context, v *store.Account, p store.Page) ([]*store.Status, social.Cursor, error)) {
	page, err := parsePage(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	sts, cur, err := list(r.Context(), v, page)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if cur.Newest != 0 {
		h.setLinkHeader(w, r, page, cur.Newest, cur.Oldest)
	}
	h.writeStatuses(w, r, v, sts, true)
}

// writeStatuses hydrates and renders statuses outside any filter context
// (every active filter's matches shown, nothing hidden), as a list or a
// single entity.
func (h *Handler) writeStatuses(w http.ResponseWriter, r *http.Request, v *store.Account, sts []*store.Status, list bool) {
	h.writeStatusesIn(w, r, v, sts, list, "")
}

// writeStatusesIn hydrates statuses, applies the viewer's filters of
// context fctx (social.ApplyFilters) and renders them through the
// rendered-status cache (appendStatusJSON).
func (h *Handler) writeStatusesIn(w http.ResponseWriter, r *http.Request, v *store.Account, sts []*store.Status, list bool, fctx string) {
	views, err := h.filteredViews(r.Context(), v, sts, fctx)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !list && len(views) == 0 {
		notFoundHandler(w, r)
		return
	}
	bp := renderBuffers.Get().(*[]byte)
	defer renderBuffers.Put(bp)
	buf := (*bp)[:0]
	if list {
		buf = append(buf, '[')
	} else {
		views = views[:1]
	}
	for i, sv := range views {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, err = h.appendStatusJSON(buf, v, sv); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if list {
		buf = append(buf, ']')
	}
	buf = append(buf, '\n') // as json.Encoder ends what writeJSON writes
	*bp = buf
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	// A known length spares the chunked framing: the page goes out in
	// fewer writes and the client needs no terminating chunk.
	hdr.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// renderBuffers recycles the buffers pages of statuses are rendered into
// (a 20-status page is some 30 KB).
var renderBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// writeStatusPage renders a timeline page paged by status IDs, with its
// Link header, in filter context fctx. The Link header is the page's as
// read, so statuses a filter hides do not stop the paging.
func (h *Handler) writeStatusPage(w http.ResponseWriter, r *http.Request, v *store.Account, page store.Page, sts []*store.Status, fctx string) {
	if len(sts) > 0 {
		h.setLinkHeader(w, r, page, sts[0].ID, sts[len(sts)-1].ID)
	}
	h.writeStatusesIn(w, r, v, sts, true, fctx)
}

// parseMediaIDs reads media_ids[]; empty values are skipped (a client
// sending media_ids[]= attaches nothing). More than the limit is left to
// the domain's rule, but the list is bounded before parsing.
func parseMediaIDs(vs []string) ([]int64, error) {
	if len(vs) > 4*social.MaxMediaAttachments {
		return nil, &requestError{status: http.StatusUnprocessableEntity,
			msg: "Validation failed: too many media_ids"}
	}
	var out []int64
	for _, v := range vs {
		if strings.TrimSpace(v) == "" {
			continue
		}
		id, err := parseID("media_ids", strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}
