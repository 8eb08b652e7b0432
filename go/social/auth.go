package social

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/store"
)

// OOBRedirect is the out-of-band redirect URI for apps without a callback.
const OOBRedirect = "urn:ietf:wg:oauth:2.0:oob"

// AppInput is a client application registration.
type AppInput struct {
	Name         string
	RedirectURIs string // space- or newline-separated; default OOBRedirect
	Scopes       string // default "read"
	Website      string
}

// Session is an authenticated token: the app, the scopes granted and, unless
// it is an app-only (client_credentials) token, the account.
type Session struct {
	Token   *store.Token
	Account *store.Account // nil for an app-only token
	Scopes  []string
}

// IssuedToken is a token as handed to the client once; only its hash is kept.
type IssuedToken struct {
	Secret string
	Token  *store.Token
}

// App registration limits, Mastodon's (OAuth::Application): anyone may
// register an app, so everything it stores is bounded.
const (
	maxAppNameChars    = 60
	maxAppURIChars     = 2000 // the website, and the redirect URIs together
	maxAppRedirectURIs = 10
)

// CreateApp registers an OAuth client and returns it with its secret.
func (s *Service) CreateApp(ctx context.Context, in AppInput) (*store.App, error) {
	const op = "social.CreateApp"
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, invalid(op, "client_name is required")
	}
	if utf8.RuneCountInString(name) > maxAppNameChars {
		return nil, invalid(op, fmt.Sprintf("Validation failed: Application name is too long (maximum is %d characters)", maxAppNameChars))
	}
	website := strings.TrimSpace(in.Website)
	if err := checkWebsite(op, website); err != nil {
		return nil, err
	}
	redirects, err := checkRedirectURIs(op, in.RedirectURIs)
	if err != nil {
		return nil, err
	}
	scopes, err := ParseScopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	app := &store.App{
		ID: id, Name: name, Website: website,
		RedirectURIs: strings.Join(redirects, "\n"), Scopes: strings.Join(scopes, " "),
		ClientID: randomSecret(), ClientSecret: randomSecret(), CreatedAt: s.nowUTC(),
	}
	if err := s.store.PutApp(ctx, app); err != nil {
		return nil, internal(op, err)
	}
	return app, nil
}

// checkWebsite accepts no website, or an http(s) URL of at most
// maxAppURIChars: it is shown as a link on the consent page.
func checkWebsite(op, website string) error {
	if website == "" {
		return nil
	}
	if utf8.RuneCountInString(website) > maxAppURIChars {
		return invalid(op, fmt.Sprintf("Validation failed: Website is too long (maximum is %d characters)", maxAppURIChars))
	}
	if u, err := url.Parse(website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(op, "Validation failed: Website is not a valid URL")
	}
	return nil
}

// unsafeRedirectSchemes are schemes a browser runs or reads locally, so a
// redirect to one attacks the user instead of returning to an app.
var unsafeRedirectSchemes = []string{"javascript", "vbscript", "data", "file", "blob", "about"}

// checkRedirectURIs splits the registered redirect URIs (default: the
// out-of-band URI) and checks each: absolute, without a fragment (RFC 6749
// §3.1.2), http(s) with a host or a custom app scheme
// (com.example.app:/callback), never one of unsafeRedirectSchemes. There
// are at most maxAppRedirectURIs, of maxAppURIChars together.
func checkRedirectURIs(op, in string) ([]string, error) {
	redirects := strings.Fields(in)
	if len(redirects) == 0 {
		return []string{OOBRedirect}, nil
	}
	if len(redirects) > maxAppRedirectURIs {
		return nil, invalid(op, fmt.Sprintf("Validation failed: at most %d redirect URIs", maxAppRedirectURIs))
	}
	if utf8.RuneCountInString(strings.Join(redirects, "\n")) > maxAppURIChars {
		return nil, invalid(op, fmt.Sprintf("Validation failed: Redirect URI is too long (maximum is %d characters)", maxAppURIChars))
	}
	for _, r := range redirects {
		if r == OOBRedirect {
			continue
		}
		u, err := url.Parse(r)
		switch {
		case err != nil || u.Scheme == "":
			return nil, invalid(op, "Validation failed: Redirect URI must be an absolute URI or "+OOBRedirect)
		case u.Fragment != "" || strings.Contains(r, "#"):
			return nil, invalid(op, "Validation failed: Redirect URI cannot contain a fragment")
		case slices.Contains(unsafeRedirectSchemes, u.Scheme):
			return nil, invalid(op, "Validation failed: Redirect URI uses a forbidden scheme")
		case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
			return nil, invalid(op, "Validation failed: Redirect URI must name a host")
		}
	}
	return redirects, nil
}

// AuthenticateApp checks client credentials.
func (s *Service) AuthenticateApp(ctx context.Context, clientID, clientSecret string) (*store.App, error) {
	const op = "social.AuthenticateApp"
	app, err := s.store.GetAppByClientID(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) || (err == nil &&
		subtle.ConstantTimeCompare([]byte(app.ClientSecret), []byte(clientSecret)) != 1) {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return app, nil
}

// PasswordGrant logs a user in (OAuth password grant) and issues a token.
func (s *Service) PasswordGrant(ctx context.Context, app *store.App, username, password, scope string) (*IssuedToken, error) {
	const op = "social.PasswordGrant"
	scopes, err := s.grantScopes(op, app, scope)
	if err != nil {
		return nil, err
	}
	acct, err := s.checkPassword(ctx, op, username, password)
	if err != nil {
		return nil, err
	}
	return s.issueToken(ctx, op, app, acct.ID, scopes)
}

// checkPassword returns the account if password is its password; wrong
// credentials are a KindInvalid error that does not say which part was
// wrong. A suspended account cannot sign in (KindInvalid too).
func (s *Service) checkPassword(ctx context.Context, op, username, password string) (*store.Account, error) {
	acct, err := s.store.GetAccountByUsername(ctx, strings.TrimPrefix(strings.TrimSpace(username), "@"))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	hash := dummyHash()
	if acct != nil {
		hash = acct.PasswordHash
	}
	// Compare even for unknown users so timing does not reveal which exist.
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || acct == nil {
		return nil, &Error{Op: op, Kind: KindInvalid, Safe: "Invalid username or password"}
	}
	if acct.SuspendedAt != nil {
		// Said only to whoever knows the password, as Mastodon says it.
		return nil, &Error{Op: op, Kind: KindInvalid, Safe: "Your login is currently disabled"}
	}
	return acct, nil
}

// ClientCredentialsGrant issues an app-only token (used to register accounts).
func (s *Service) ClientCredentialsGrant(ctx context.Context, app *store.App, scope string) (*IssuedToken, error) {
	const op = "social.ClientCredentialsGrant"
	scopes, err := s.grantScopes(op, app, scope)
	if err != nil {
		return nil, err
	}
	return s.issueToken(ctx, op, app, 0, scopes)
}

// RevokeToken deletes a token by its secret, if app issued it. Revoking an
// unknown token, or another app's, changes nothing and is not an error
// (RFC 7009), so the endpoint cannot be used to probe for tokens.
func (s *Service) RevokeToken(ctx context.Context, app *store.App, secret string) error {
	const op = "social.RevokeToken"
	hash := hashToken(secret)
	tok, err := s.store.GetTokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return internal(op, err)
	}
	if tok.AppID != app.ID {
		return nil
	}
	if err := s.store.DeleteTokenByHash(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return internal(op, err)
	}
	return nil
}

// Authenticate resolves a bearer secret to a session.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Session, error) {
	const op = "social.Authenticate"
	// Made only when refused: every signed-in request comes through here.
	unauth := func() error { return &Error{Op: op, Kind: KindUnauthorized, Safe: "The access token is invalid"} }
	if secret == "" {
		return nil, unauth()
	}
	hash := hashToken(secret)
	// A user token, the common case, comes with its account in one query,
	// read afresh on every request so a revoked token or a deleted account
	// is refused at once in every process; app-only tokens (and unknown
	// ones) take the path below.
	tok, acct, err := s.store.GetUserTokenByHash(ctx, hash)
	if err == nil && acct.SuspendedAt != nil {
		// Suspension takes every session at once: its tokens stay stored
		// (an unsuspension gives them back) but authenticate nothing.
		return nil, unauth()
	}
	if err == nil {
		return &Session{Token: tok, Scopes: strings.Fields(tok.Scopes), Account: acct}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	tok, err = s.store.GetTokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unauth()
	}
	if err != nil {
		return nil, internal(op, err)
	}
	sess := &Session{Token: tok, Scopes: strings.Fields(tok.Scopes)}
	if tok.AccountID != 0 {
		acct, err := s.store.GetAccountByID(ctx, tok.AccountID)
		if errors.Is(err, store.ErrNotFound) || err == nil && acct.SuspendedAt != nil {
			return nil, unauth()
		}
		if err != nil {
			return nil, internal(op, err)
		}
		sess.Account = acct
	}
	return sess, nil
}

func (s *Service) grantScopes(op string, app *store.App, scope string) ([]string, error) {
	requested, err := ParseScopes(scope)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(scope) == "" {
		// Without a scope parameter the grant gets the app's scopes.
		requested = strings.Fields(app.Scopes)
	}
	if !subsetOf(requested, strings.Fields(app.Scopes)) {
		return nil, invalid(op, "The requested scope is invalid, unknown, or malformed.")
	}
	return requested, nil
}

func (s *Service) issueToken(ctx context.Context, op string, app *store.App, accountID int64, scopes []string) (*IssuedToken, error) {
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	secret := randomSecret()
	tok := &store.Token{
		ID: id, AppID: app.ID, AccountID: accountID, Hash: hashToken(secret),
		Scopes: strings.Join(scopes, " "), CreatedAt: s.nowUTC(),
	}
	if err := s.store.PutToken(ctx, tok); err != nil {
		return nil, internal(op, err)
	}
	return &IssuedToken{Secret: secret, Token: tok}, nil
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// randomSecret returns 256 random bits, URL-safe.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is compared against when the user does not exist, so a login
// for an unknown name costs the same as one with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte("starling-dummy-password"), bcrypt.DefaultCost)
	return string(h)
})
