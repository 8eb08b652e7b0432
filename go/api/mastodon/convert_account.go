package mastodon

import (
	"strconv"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Account is Mastodon's Account entity.
type Account struct {
	ID             string         `json:"id"`
	Username       string         `json:"username"`
	Acct           string         `json:"acct"`
	DisplayName    string         `json:"display_name"`
	Locked         bool           `json:"locked"`
	Bot            bool           `json:"bot"`
	Discoverable   bool           `json:"discoverable"`
	Group          bool           `json:"group"`
	CreatedAt      string         `json:"created_at"`
	Note           string         `json:"note"`
	URL            string         `json:"url"`
	URI            string         `json:"uri"`
	Avatar         string         `json:"avatar"`
	AvatarStatic   string         `json:"avatar_static"`
	Header         string         `json:"header"`
	HeaderStatic   string         `json:"header_static"`
	FollowersCount int64          `json:"followers_count"`
	FollowingCount int64          `json:"following_count"`
	StatusesCount  int64          `json:"statuses_count"`
	LastStatusAt   *string        `json:"last_status_at"`
	Emojis         []struct{}     `json:"emojis"`
	Fields         []Field        `json:"fields"`
	Source         *AccountSource `json:"source,omitempty"`
	// Suspended and Limited are Mastodon's optional moderation flags, sent
	// only when set. A suspended account reaches clients only through the
	// admin listener (everywhere else it is not found); Limited is a
	// silenced account.
	Suspended bool `json:"suspended,omitempty"`
	Limited   bool `json:"limited,omitempty"`
}

// Field is Mastodon's Field entity: a profile's name/value pair. Name is
// text, as Mastodon sends it; Value is HTML in Account.fields and the typed
// text in source.fields. Nothing is
// verified (no rel="me" check), so VerifiedAt is always null.
type Field struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

// AccountSource is the extra part of verify_credentials.
type AccountSource struct {
	Privacy             string  `json:"privacy"`
	Sensitive           bool    `json:"sensitive"`
	Language            string  `json:"language"`
	Note                string  `json:"note"`
	Fields              []Field `json:"fields"`
	FollowRequestsCount int     `json:"follow_requests_count"`
}

// timeFormat is how Mastodon renders datetimes (ISO 8601, UTC, milliseconds).
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

func (h *Handler) account(a *store.Account) *Account {
	out := &Account{
		ID: formatID(a.ID), Username: a.Username, Acct: a.Username, DisplayName: a.DisplayName,
		Locked: a.Locked, Bot: a.Bot, Discoverable: a.Discoverable, CreatedAt: formatTime(a.CreatedAt),
		Note: social.RenderNote(a.Note), URL: h.baseURL + "/@" + a.Username, URI: h.baseURL + "/users/" + a.Username,
		Avatar: h.baseURL + missingAvatar, AvatarStatic: h.baseURL + missingAvatar,
		Header: h.baseURL + missingHeader, HeaderStatic: h.baseURL + missingHeader,
		FollowersCount: a.FollowersCount, FollowingCount: a.FollowingCount, StatusesCount: a.StatusesCount,
		Emojis: []struct{}{}, Fields: make([]Field, 0, len(a.Fields)),
		Suspended: a.SuspendedAt != nil, Limited: a.SilencedAt != nil,
	}
	for _, f := range a.Fields {
		out.Fields = append(out.Fields, Field{Name: f.Name, Value: social.RenderField(f.Value)})
	}
	if a.AvatarKey != "" {
		out.Avatar = h.media.URL + "/" + a.AvatarKey
		out.AvatarStatic = out.Avatar
	}
	if a.HeaderKey != "" {
		out.Header = h.media.URL + "/" + a.HeaderKey
		out.HeaderStatic = out.Header
	}
	if a.LastStatusAt != nil {
		day := a.LastStatusAt.UTC().Format(time.DateOnly)
		out.LastStatusAt = &day
	}
	return out
}

// AccountEntity is a's Account entity, for the admin listener's
// Admin::Account (api/admin.AccountRenderer).
func (h *Handler) AccountEntity(a *store.Account) any { return h.account(a) }

// accounts converts a list, keeping its order; never null in JSON.
func (h *Handler) accounts(as []*store.Account) []*Account {
	out := make([]*Account, len(as))
	for i, a := range as {
		out[i] = h.account(a)
	}
	return out
}

// credentialAccount is the account with its source, for its owner.
func (h *Handler) credentialAccount(c *social.Credentials) *Account {
	out := h.account(c.Account)
	p := preferencesOf(c.Preferences)
	out.Source = &AccountSource{Privacy: p.PostingVisibility, Sensitive: p.PostingSensitive, Note: c.Account.Note,
		Fields: make([]Field, 0, len(c.Account.Fields)), FollowRequestsCount: c.FollowRequestsCount}
	for _, f := range c.Account.Fields {
		out.Source.Fields = append(out.Source.Fields, Field{Name: f.Name, Value: f.Value})
	}
	if p.PostingLanguage != nil {
		out.Source.Language = *p.PostingLanguage
	}
	return out
}
