package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Status is Mastodon's Status entity.
type Status struct {
	ID                 string             `json:"id"`
	URI                string             `json:"uri"`
	URL                *string            `json:"url"`
	CreatedAt          string             `json:"created_at"`
	Account            *Account           `json:"account"`
	Content            string             `json:"content"`
	Visibility         string             `json:"visibility"`
	Sensitive          bool               `json:"sensitive"`
	SpoilerText        string             `json:"spoiler_text"`
	MediaAttachments   []*MediaAttachment `json:"media_attachments"`
	Application        *struct{}          `json:"application,omitempty"`
	Mentions           []Mention          `json:"mentions"`
	Tags               []Tag              `json:"tags"`
	Emojis             []struct{}         `json:"emojis"`
	ReblogsCount       int64              `json:"reblogs_count"`
	FavouritesCount    int64              `json:"favourites_count"`
	RepliesCount       int64              `json:"replies_count"`
	InReplyToID        *string            `json:"in_reply_to_id"`
	InReplyToAccountID *string            `json:"in_reply_to_account_id"`
	Reblog             *Status            `json:"reblog"`
	Poll               *Poll              `json:"poll"`
	Card               *struct{}          `json:"card"`
	Language           *string            `json:"language"`
	Text               *string            `json:"text,omitempty"` // only in the delete response (source for redraft)
	EditedAt           *string            `json:"edited_at"`
	Favourited         *bool              `json:"favourited,omitempty"`
	Reblogged          *bool              `json:"reblogged,omitempty"`
	Muted              *bool              `json:"muted,omitempty"`
	Bookmarked         *bool              `json:"bookmarked,omitempty"`
	Pinned             *bool              `json:"pinned,omitempty"`
	Filtered           *[]FilterResult    `json:"filtered,omitempty"` // signed-in viewers only, as Mastodon
}

// Mention is Mastodon's Status::Mention entity.
type Mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// Tag is Mastodon's Tag entity (as embedded in a status).
type Tag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// statuses converts a batch, hydrated by the service in a fixed number of
// queries (authors, originals, mentions, tags, the viewer's flags).
// Statuses whose author vanished are dropped rather than rendered half-empty.
// It is statusesIn outside any filter context.
func (h *Handler) statuses(ctx context.Context, viewer *store.Account, sts []*store.Status) ([]*Status, error) {
	return h.statusesIn(ctx, viewer, sts, "")
}

// statusesIn converts a batch read in filter context fctx
// (social.FilterHome, ...): the viewer's filters of that context hide or
// mark statuses (social.ApplyFilters).
func (h *Handler) statusesIn(ctx context.Context, viewer *store.Account, sts []*store.Status, fctx string) ([]*Status, error) {
	views, err := h.filteredViews(ctx, viewer, sts, fctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(views))
	for _, v := range views {
		out = append(out, h.statusView(viewer, v))
	}
	return out, nil
}

// filteredViews hydrates sts for viewer and applies the viewer's filters of
// context fctx: what both renderers (statusesIn, writeStatusesIn) start from.
func (h *Handler) filteredViews(ctx context.Context, viewer *store.Account, sts []*store.Status, fctx string) ([]*social.StatusView, error) {
	views, err := h.svc.ViewStatuses(ctx, viewer, sts)
	if err != nil {
		return nil, err
	}
	return h.svc.ApplyFilters(ctx, viewer, views, fctx)
}

func (h *Handler) statusView(viewer *store.Account, v *social.StatusView) *Status {
	out := h.statusEntity(v)
	if v.Reblog != nil {
		out.Reblog = h.statusView(viewer, v.Reblog)
	}
	if v.Poll != nil { // per viewer (voted, own_votes, hidden totals), so never cached
		out.Poll = pollEntity(v.Poll, viewer != nil)
	}
	if viewer != nil {
		fav, rb, bm, muted := v.Favourited, v.Reblogged, v.Bookmarked, v.Muted
		out.Favourited, out.Reblogged, out.Bookmarked, out.Muted = &fav, &rb, &bm, &muted
		if v.Pinnable {
			pinned := v.Pinned
			out.Pinned = &pinned
		}
		f := filterResults(v.Filtered)
		out.Filtered = &f
	}
	return out
}

// statusEntity is what every viewer sees of v: the status without the
// original it reblogs and without the viewer's flags. It reads only what
// statusCache.fingerprint hashes.
func (h *Handler) statusEntity(v *social.StatusView) *Status {
	s, author := v.Status, v.Author
	id := formatID(s.ID)
	out := &Status{
		ID: id, URI: h.baseURL + "/users/" + author.Username + "/statuses/" + id,
		CreatedAt: formatTime(s.CreatedAt), Account: h.account(author), Content: s.Content,
		Visibility: string(s.Visibility), Sensitive: s.Sensitive, SpoilerText: s.SpoilerText,
		MediaAttachments: make([]*MediaAttachment, 0, len(v.Media)), Mentions: []Mention{}, Tags: []Tag{}, Emojis: []struct{}{},
		ReblogsCount: s.ReblogsCount, FavouritesCount: s.FavouritesCount, RepliesCount: s.RepliesCount,
	}
	if s.ReblogOfID == 0 {
		u := h.baseURL + "/@" + author.Username + "/" + id
		out.URL = &u
	} else {
		// A reblog wraps its original: the wrapper carries no content of
		// its own; its URI and URL name the boost activity, as Mastodon's do.
		out.URI = h.baseURL + "/users/" + author.Username + "/statuses/" + id + "/activity"
		out.URL = &out.URI
	}
	for _, m := range v.Mentions {
		out.Mentions = append(out.Mentions, Mention{ID: formatID(m.ID), Username: m.Username,
			URL: h.baseURL + "/@" + m.Username, Acct: m.Username})
	}
	for _, m := range v.Media {
		out.MediaAttachments = append(out.MediaAttachments, h.mediaAttachment(m))
	}
	for _, t := range v.Tags {
		out.Tags = append(out.Tags, Tag{Name: t, URL: h.baseURL + "/tags/" + url.PathEscape(t)})
	}
	if s.InReplyToID != 0 {
		r := formatID(s.InReplyToID)
		out.InReplyToID = &r
		if s.InReplyToAccountID != 0 {
			a := formatID(s.InReplyToAccountID)
			out.InReplyToAccountID = &a
		}
	}
	if s.Language != "" {
		out.Language = &s.Language
	}
	if s.EditedAt != nil {
		e := formatTime(*s.EditedAt)
		out.EditedAt = &e
	}
	return out
}

// appendStatusJSON appends the JSON of statusView(viewer, v) to buf (the
// same fields and values; the viewer's flags and filter results come last): the shared part
// from the rendered-status cache, rendered and cached on a miss, then the
// reblogged original and the viewer's flags and filter results spliced in.
func (h *Handler) appendStatusJSON(buf []byte, viewer *store.Account, v *social.StatusView) ([]byte, error) {
	if v.Poll != nil {
		// A poll is rendered per viewer and its counts move with every
		// vote: such a status is rendered whole, without the cache.
		b, err := json.Marshal(h.statusView(viewer, v))
		if err != nil {
			return nil, err
		}
		return append(buf, b...), nil
	}
	r, err := h.renderedEntity(v)
	if err != nil {
		return nil, err
	}
	if v.Reblog != nil {
		buf = append(buf, r.json[:r.reblogAt]...)
		buf = append(buf, `"reblog":`...)
		if buf, err = h.appendStatusJSON(buf, viewer, v.Reblog); err != nil {
			return nil, err
		}
		buf = append(buf, r.json[r.reblogAt+len(reblogNull):len(r.json)-1]...)
	} else {
		buf = append(buf, r.json[:len(r.json)-1]...)
	}
	if viewer != nil {
		buf = appendFlag(buf, "favourited", v.Favourited)
		buf = appendFlag(buf, "reblogged", v.Reblogged)
		buf = appendFlag(buf, "muted", v.Muted)
		buf = appendFlag(buf, "bookmarked", v.Bookmarked)
		if v.Pinnable {
			buf = appendFlag(buf, "pinned", v.Pinned)
		}
		buf = append(buf, `,"filtered":`...)
		if len(v.Filtered) == 0 { // most statuses: no need for the encoder
			buf = append(buf, `[]`...)
		} else {
			f, err := json.Marshal(filterResults(v.Filtered))
			if err != nil {
				return nil, err
			}
			buf = append(buf, f...)
		}
	}
	return append(buf, '}'), nil
}

func appendFlag(buf []byte, name string, b bool) []byte {
	buf = append(buf, `,"`...)
	buf = append(buf, name...)
	buf = append(buf, `":`...)
	return strconv.AppendBool(buf, b)
}

// renderedEntity is statusEntity(v) as JSON, from the cache when it was
// rendered from the same rows.
func (h *Handler) renderedEntity(v *social.StatusView) (*renderedStatus, error) {
	var fp uint64
	if h.statusCache != nil {
		fp = h.statusCache.fingerprint(v)
		if r := h.statusCache.get(v.Status.ID, fp); r != nil {
			return r, nil
		}
	}
	b, err := json.Marshal(h.statusEntity(v))
	if err != nil {
		return nil, err
	}
	at := bytes.Index(b, []byte(reblogNull))
	if at < 0 {
		return nil, fmt.Errorf("rendered status %d has no %s", v.Status.ID, reblogNull)
	}
	r := &renderedStatus{id: v.Status.ID, fingerprint: fp, json: b, reblogAt: at}
	h.statusCache.put(r)
	return r, nil
}

// Context is Mastodon's Context entity.
type Context struct {
	Ancestors   []*Status `json:"ancestors"`
	Descendants []*Status `json:"descendants"`
}
