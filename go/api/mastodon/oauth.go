package mastodon

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// oauthRoutes: the OAuth 2 endpoints (outside /api).
func (h *Handler) oauthRoutes(r chi.Router) {
	r.Get("/oauth/authorize", h.authorize)        // GET /oauth/authorize (login and consent page)
	r.Post("/oauth/authorize", h.authorizeSubmit) // POST /oauth/authorize (the page's form)
	r.Post("/oauth/token", h.oauthToken)          // POST /oauth/token
	r.Post("/oauth/revoke", h.oauthRevoke)        // POST /oauth/revoke
}

type tokenRequest struct {
	GrantType    string `param:"grant_type"`
	ClientID     string `param:"client_id"`
	ClientSecret string `param:"client_secret"`
	Scope        string `param:"scope"`
	Username     string `param:"username"`
	Password     string `param:"password"`
	RedirectURI  string `param:"redirect_uri"`
	Code         string `param:"code"`
	CodeVerifier string `param:"code_verifier"`
}

// oauthError answers in RFC 6749's shape, which is also Mastodon's
// {"error": "..."} shape with a description added.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, errorBody{Error: code, ErrorDescription: desc})
}

// oauthToken handles POST /oauth/token (authorization_code with PKCE,
// password and client_credentials grants).
func (h *Handler) oauthToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeParams(r, &req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	switch req.GrantType {
	case "authorization_code", "password", "client_credentials":
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	app, err := h.svc.AuthenticateApp(r.Context(), req.ClientID, req.ClientSecret)
	if err != nil {
		h.writeOAuthError(w, r, err)
		return
	}
	var tok *social.IssuedToken
	switch req.GrantType {
	case "authorization_code":
		tok, err = h.svc.AuthorizationCodeGrant(r.Context(), app, req.Code, req.RedirectURI, req.CodeVerifier)
	case "password":
		tok, err = h.svc.PasswordGrant(r.Context(), app, req.Username, req.Password, req.Scope)
	default:
		tok, err = h.svc.ClientCredentialsGrant(r.Context(), app, req.Scope)
	}
	if err != nil {
		h.writeOAuthError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, token(tok))
}

func (h *Handler) writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	switch social.KindOf(err) {
	case social.KindUnauthorized:
		oauthError(w, http.StatusUnauthorized, "invalid_client", social.SafeMessage(err))
	case social.KindInvalid:
		oauthError(w, http.StatusBadRequest, "invalid_grant", social.SafeMessage(err))
	default:
		h.writeError(w, r, err)
	}
}

type revokeRequest struct {
	ClientID     string `param:"client_id"`
	ClientSecret string `param:"client_secret"`
	Token        string `param:"token"`
}

// oauthRevoke handles POST /oauth/revoke.
func (h *Handler) oauthRevoke(w http.ResponseWriter, r *http.Request) {
	var req revokeRequest
	if err := decodeParams(r, &req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	app, err := h.svc.AuthenticateApp(r.Context(), req.ClientID, req.ClientSecret)
	if err != nil {
		h.writeOAuthError(w, r, err)
		return
	}
	if err := h.svc.RevokeToken(r.Context(), app, req.Token); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
