package mastodon

import (
	"net/url"
	"strconv"

	"github.com/starling-social/starling/go/social"
)

// Hashtag is Mastodon's Tag entity as search, trends, followed tags and
// GET /api/v1/tags/:id return it: with history (statuses embed the shorter
// Tag), and, for a signed-in viewer, whether it follows the tag.
type Hashtag struct {
	Name      string       `json:"name"`
	URL       string       `json:"url"`
	History   []TagHistory `json:"history"`
	Following *bool        `json:"following,omitempty"`
}

// TagHistory is one day of a Hashtag's history. Mastodon sends every field
// as a string: the day as the UNIX time of its UTC midnight.
type TagHistory struct {
	Day      string `json:"day"`
	Uses     string `json:"uses"`
	Accounts string `json:"accounts"`
}

// tagURL is the hashtag's page, as status content links it.
func (h *Handler) tagURL(name string) string { return h.baseURL + "/tags/" + url.PathEscape(name) }

func (h *Handler) hashtag(t *social.Tag) *Hashtag {
	out := &Hashtag{Name: t.Name, URL: h.tagURL(t.Name), History: make([]TagHistory, len(t.History)),
		Following: t.Following}
	for i, d := range t.History {
		out.History[i] = TagHistory{Day: strconv.FormatInt(d.Day.Unix(), 10),
			Uses: strconv.FormatInt(d.Uses, 10), Accounts: strconv.FormatInt(d.Accounts, 10)}
	}
	return out
}

func (h *Handler) hashtags(ts []*social.Tag) []*Hashtag {
	out := make([]*Hashtag, len(ts))
	for i, t := range ts {
		out[i] = h.hashtag(t)
	}
	return out
}
