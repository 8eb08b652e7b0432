package mastodon

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// Status is Mastodon's Status entity.
type Status struct {
	ID                 string     `json:"id"`
	URI                string     `json:"uri"`
	URL                string     `json:"url"`
	CreatedAt          string     `json:"created_at"`
	Account            *Account   `json:"account"`
	Content            string     `json:"content"`
	Visibility         string     `json:"visibility"`
	Sensitive          bool       `json:"sensitive"`
	SpoilerText        string     `json:"spoiler_text"`
	MediaAttachments   []struct{} `json:"media_attachments"`
	Application        *struct{}  `json:"application,omitempty"`
	Mentions           []struct{} `json:"mentions"`
	Tags               []struct{} `json:"tags"`
	Emojis             []struct{} `json:"emojis"`
	ReblogsCount       int64      `json:"reblogs_count"`
	FavouritesCount    int64      `json:"favourites_count"`
	RepliesCount       int64      `json:"replies_count"`
	InReplyToID        *string    `json:"in_reply_to_id"`
	InReplyToAccountID *string    `json:"in_reply_to_account_id"`
	Reblog             *Status    `json:"reblog"`
	Poll               *struct{}  `json:"poll"`
	Card               *struct{}  `json:"card"`
	Language           *string    `json:"language"`
	Text               *string    `json:"text"`
	EditedAt           *string    `json:"edited_at"`
	Favourited         *bool      `json:"favourited,omitempty"`
	Reblogged          *bool      `json:"reblogged,omitempty"`
	Muted              *bool      `json:"muted,omitempty"`
	Bookmarked         *bool      `json:"bookmarked,omitempty"`
	Pinned             *bool      `json:"pinned,omitempty"`
	Filtered           []struct{} `json:"filtered"`
}

// statuses converts a batch, loading every author in one query. Statuses
// whose author vanished are dropped rather than rendered half-empty.
func (h *Handler) statuses(ctx context.Context, viewer *store.Account, sts []*store.Status) ([]*Status, error) {
	ids := make([]int64, 0, len(sts))
	for _, s := range sts {
		ids = append(ids, s.AccountID)
	}
	authors, err := h.svc.AccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(sts))
	for _, s := range sts {
		if a, ok := authors[s.AccountID]; ok {
			out = append(out, h.status(viewer, s, a))
		}
	}
	return out, nil
}

func (h *Handler) status(viewer *store.Account, s *store.Status, author *store.Account) *Status {
	id := formatID(s.ID)
	out := &Status{
		ID: id, URI: h.baseURL + "/users/" + author.Username + "/statuses/" + id,
		URL: h.baseURL + "/@" + author.Username + "/" + id, CreatedAt: formatTime(s.CreatedAt),
		Account: h.account(author), Content: s.Content, Visibility: string(s.Visibility),
		Sensitive: s.Sensitive, SpoilerText: s.SpoilerText,
		MediaAttachments: []struct{}{}, Mentions: []struct{}{}, Tags: []struct{}{}, Emojis: []struct{}{},
		Filtered: []struct{}{},
	}
	if s.InReplyToID != 0 {
		r := formatID(s.InReplyToID)
		out.InReplyToID = &r
	}
	if s.Language != "" {
		out.Language = &s.Language
	}
	if viewer != nil {
		// Favourites, reblogs, mutes, bookmarks and pins arrive with the full
		// social API; until then the truthful answer is false.
		f := false
		out.Favourited, out.Reblogged, out.Muted, out.Bookmarked = &f, &f, &f, &f
		if viewer.ID == s.AccountID {
			out.Pinned = &f
		}
	}
	return out
}
