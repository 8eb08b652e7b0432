package mastodon

import (
	"context"
	"net/url"

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
	Filtered           []struct{}         `json:"filtered"`
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
func (h *Handler) statuses(ctx context.Context, viewer *store.Account, sts []*store.Status) ([]*Status, error) {
	views, err := h.svc.ViewStatuses(ctx, viewer, sts)
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(views))
	for _, v := range views {
		out = append(out, h.statusView(viewer, v))
	}
	return out, nil
}

func (h *Handler) statusView(viewer *store.Account, v *social.StatusView) *Status {
	s, author := v.Status, v.Author
	id := formatID(s.ID)
	out := &Status{
		ID: id, URI: h.baseURL + "/users/" + author.Username + "/statuses/" + id,
		CreatedAt: formatTime(s.CreatedAt), Account: h.account(author), Content: s.Content,
		Visibility: string(s.Visibility), Sensitive: s.Sensitive, SpoilerText: s.SpoilerText,
		MediaAttachments: make([]*MediaAttachment, 0, len(v.Media)), Mentions: []Mention{}, Tags: []Tag{}, Emojis: []struct{}{},
		ReblogsCount: s.ReblogsCount, FavouritesCount: s.FavouritesCount, RepliesCount: s.RepliesCount,
		Filtered: []struct{}{},
	}
	if v.Reblog == nil {
		u := h.baseURL + "/@" + author.Username + "/" + id
		out.URL = &u
	} else {
		// A reblog wraps its original: the wrapper carries no content of
		// its own; its URI and URL name the boost activity, as Mastodon's do.
		out.URI = h.baseURL + "/users/" + author.Username + "/statuses/" + id + "/activity"
		out.URL = &out.URI
		out.Reblog = h.statusView(viewer, v.Reblog)
	}
	for _, m := range v.Mentions {
		out.Mentions = append(out.Mentions, Mention{ID: formatID(m.ID), Username: m.Username,
			URL: h.baseURL + "/@" + m.Username, Acct: m.Username})
	}
	if v.Poll != nil {
		out.Poll = pollEntity(v.Poll, viewer != nil)
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
	if viewer != nil {
		fav, rb, bm, muted := v.Favourited, v.Reblogged, v.Bookmarked, v.Muted
		out.Favourited, out.Reblogged, out.Bookmarked, out.Muted = &fav, &rb, &bm, &muted
		if v.Pinnable {
			pinned := v.Pinned
			out.Pinned = &pinned
		}
	}
	return out
}

// Context is Mastodon's Context entity.
type Context struct {
	Ancestors   []*Status `json:"ancestors"`
	Descendants []*Status `json:"descendants"`
}
