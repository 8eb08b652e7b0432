package social

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/starling-social/starling/go/store"
)

// AuthCodeTTL is how long an authorization code can be redeemed: short,
// because the client exchanges it at once (RFC 6749 §4.1.2 recommends at
// most ten minutes).
const AuthCodeTTL = 10 * time.Minute

// OAuth error codes (RFC 6749 §4.1.2.1 and §5.2). The service wraps them in
// its *Error values so the API can answer with the code the spec names,
// using errors.Is.
var (
	ErrInvalidClient   = errors.New("invalid_client")
	ErrInvalidRedirect = errors.New("invalid_redirect_uri")
	ErrInvalidScope    = errors.New("invalid_scope")
	ErrInvalidRequest  = errors.New("invalid_request")
	ErrInvalidGrant    = errors.New("invalid_grant")
	ErrAccessDenied    = errors.New("access_denied")
)

// AuthorizeRequest is what a client asks for at the authorization endpoint.
type AuthorizeRequest struct {
	ClientID            string
	RedirectURI         string // may be empty when the app has exactly one
	Scope               string // default: the app's scopes
	CodeChallenge       string
	CodeChallengeMethod string // "S256" or "plain"; "" means plain when a challenge is given (RFC 7636 §4.3)
}

// Authorization is a checked AuthorizeRequest: what the consent page shows
// and what a code will grant.
type Authorization struct {
	App                 *store.App
	RedirectURI         string
	Scopes              []string
	CodeChallenge       string
	CodeChallengeMethod string
}

// PrepareAuthorization checks an authorization request. Its KindInvalid
// errors wrap the OAuth error they are (ErrInvalidClient,
// ErrInvalidRedirect, ErrInvalidScope, ErrInvalidRequest); the API shows
// them to the user rather than redirect, since anyone may register a
// redirect URI.
func (s *Service) PrepareAuthorization(ctx context.Context, req AuthorizeRequest) (*Authorization, error) {
	const op = "social.PrepareAuthorization"
	app, err := s.store.GetAppByClientID(ctx, req.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Op: op, Kind: KindInvalid, Safe: "The client is unknown.", Err: ErrInvalidClient}
	}
	if err != nil {
		return nil, internal(op, err)
	}
	registered := strings.Fields(app.RedirectURIs)
	redirect := req.RedirectURI
	if redirect == "" && len(registered) == 1 {
		redirect = registered[0]
	}
	if !slices.Contains(registered, redirect) {
		return nil, &Error{Op: op, Kind: KindInvalid, Err: ErrInvalidRedirect,
			Safe: "The redirect URI included is not valid: it must be one the application registered."}
	}
	a := &Authorization{App: app, RedirectURI: redirect}
	if a.Scopes, err = s.grantScopes(op, app, req.Scope); err != nil {
		return a, &Error{Op: op, Kind: KindInvalid, Safe: SafeMessage(err), Err: ErrInvalidScope}
	}
	if req.CodeChallenge != "" || req.CodeChallengeMethod != "" {
		method := req.CodeChallengeMethod
		if method == "" {
			method = "plain"
		}
		if method != "S256" && method != "plain" {
			return a, &Error{Op: op, Kind: KindInvalid, Err: ErrInvalidRequest,
				Safe: "code_challenge_method must be S256 or plain."}
		}
		if !pkceValue(req.CodeChallenge) {
			return a, &Error{Op: op, Kind: KindInvalid, Err: ErrInvalidRequest,
				Safe: "code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' or '~'."}
		}
		a.CodeChallenge, a.CodeChallengeMethod = req.CodeChallenge, method
	}
	return a, nil
}

// Authorize logs the user in with username and password and, on success,
// issues a single-use code for a (from PrepareAuthorization). It also
// sweeps codes that have expired, which keeps the table small without a
// background job. Wrong credentials are a KindInvalid error.
func (s *Service) Authorize(ctx context.Context, a *Authorization, username, password string) (string, error) {
	const op = "social.Authorize"
	acct, err := s.checkPassword(ctx, op, username, password)
	if err != nil {
		return "", err
	}
	now := s.nowUTC()
	if _, err := s.store.DeleteExpiredAuthCodes(ctx, now); err != nil {
		s.log.WarnContext(ctx, "deleting expired authorization codes", "err", err)
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return "", err
	}
	code := randomSecret()
	c := &store.AuthCode{
		ID: id, AppID: a.App.ID, AccountID: acct.ID, Hash: hashToken(code),
		RedirectURI: a.RedirectURI, Scopes: strings.Join(a.Scopes, " "),
		CodeChallenge: a.CodeChallenge, CodeChallengeMethod: a.CodeChallengeMethod,
		CreatedAt: now, ExpiresAt: now.Add(AuthCodeTTL),
	}
	if err := s.store.PutAuthCode(ctx, c); err != nil {
		return "", internal(op, err)
	}
	return code, nil
}

// AuthorizationCodeGrant redeems a code for a token (RFC 6749 §4.1.3 with
// RFC 7636's verifier). Every refusal is the same invalid_grant, so the
// endpoint does not tell an attacker which check failed. A code presented
// a second time also revokes the token the first redemption issued: a
// replay means the code leaked.
func (s *Service) AuthorizationCodeGrant(ctx context.Context, app *store.App, code, redirectURI, verifier string) (*IssuedToken, error) {
	const op = "social.AuthorizationCodeGrant"
	refused := &Error{Op: op, Kind: KindInvalid, Err: ErrInvalidGrant,
		Safe: "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}
	if code == "" {
		return nil, refused
	}
	c, err := s.store.GetAuthCodeByHash(ctx, hashToken(code))
	if errors.Is(err, store.ErrNotFound) {
		return nil, refused
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if c.AppID != app.ID {
		return nil, refused
	}
	if c.UsedAt != nil {
		s.revokeReplayed(ctx, c)
		return nil, refused
	}
	if !s.nowUTC().Before(c.ExpiresAt) || redirectURI != c.RedirectURI || !pkceVerify(c, verifier) {
		return nil, refused
	}
	// A code issued before its account was suspended redeems nothing.
	if acct, err := s.store.GetAccountByID(ctx, c.AccountID); err != nil || acct.SuspendedAt != nil {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(op, err)
		}
		return nil, refused
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	secret := randomSecret()
	tok := &store.Token{
		ID: id, AppID: app.ID, AccountID: c.AccountID, Hash: hashToken(secret),
		Scopes: c.Scopes, CreatedAt: s.nowUTC(),
	}
	err = s.store.RedeemAuthCode(ctx, c.ID, tok)
	if errors.Is(err, store.ErrConflict) {
		// Another request redeemed it between our read and write: a replay.
		s.revokeReplayed(ctx, c)
		return nil, refused
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return &IssuedToken{Secret: secret, Token: tok}, nil
}

// revokeReplayed deletes the token issued from a code presented twice.
// Failing to revoke is logged, not returned: the replay is refused anyway.
func (s *Service) revokeReplayed(ctx context.Context, c *store.AuthCode) {
	err := s.store.DeleteAuthCodeToken(ctx, c.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.WarnContext(ctx, "revoking the token of a replayed authorization code", "code_id", c.ID, "err", err)
		return
	}
	s.log.InfoContext(ctx, "authorization code replayed; its token is revoked", "code_id", c.ID, "app_id", c.AppID)
}

// pkceVerify checks a code verifier against the code's challenge. A code
// issued without a challenge must be redeemed without a verifier (OAuth
// 2.1), so a verifier cannot be bolted on by whoever intercepted the code.
func pkceVerify(c *store.AuthCode, verifier string) bool {
	if c.CodeChallenge == "" {
		return verifier == ""
	}
	if !pkceValue(verifier) {
		return false
	}
	want := verifier
	if c.CodeChallengeMethod == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(c.CodeChallenge)) == 1
}

// pkceValue reports whether v is a valid code verifier or challenge: 43 to
// 128 unreserved characters (RFC 7636 §4.1; an S256 challenge is 43).
func pkceValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

// SessionApp returns the app a session's token was issued to.
func (s *Service) SessionApp(ctx context.Context, sess *Session) (*store.App, error) {
	const op = "social.SessionApp"
	app, err := s.store.GetAppByID(ctx, sess.Token.AppID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "The access token is invalid"}
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return app, nil
}
