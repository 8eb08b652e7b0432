package mastodon

import (
	"strings"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Application is Mastodon's (Credential)Application entity.
type Application struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Website               *string  `json:"website"`
	Scopes                []string `json:"scopes"`
	RedirectURI           string   `json:"redirect_uri"`
	RedirectURIs          []string `json:"redirect_uris"`
	ClientID              string   `json:"client_id,omitempty"`
	ClientSecret          string   `json:"client_secret,omitempty"`
	ClientSecretExpiresAt *int     `json:"client_secret_expires_at,omitempty"`
	VapidKey              string   `json:"vapid_key,omitempty"`
}

// application is the public Application entity: no client credentials.
func application(a *store.App) *Application {
	out := credentialApplication(a)
	out.ClientID, out.ClientSecret, out.ClientSecretExpiresAt = "", "", nil
	return out
}

func credentialApplication(a *store.App) *Application {
	uris := strings.Fields(a.RedirectURIs)
	never := 0
	out := &Application{
		ID: formatID(a.ID), Name: a.Name, Scopes: strings.Fields(a.Scopes),
		RedirectURI: strings.Join(uris, "\n"), RedirectURIs: uris,
		ClientID: a.ClientID, ClientSecret: a.ClientSecret, ClientSecretExpiresAt: &never,
	}
	if a.Website != "" {
		out.Website = &a.Website
	}
	return out
}

// Token is Mastodon's Token entity.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

func token(t *social.IssuedToken) *Token {
	return &Token{AccessToken: t.Secret, TokenType: "Bearer", Scope: t.Token.Scopes, CreatedAt: t.Token.CreatedAt.Unix()}
}
