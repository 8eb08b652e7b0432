package mastodon

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/starling-social/starling/go/social"
)

//go:embed oauth_authorize.html
var authorizeHTML string

// authorizeTmpl is the login-and-consent page. html/template escapes every
// value by its context (text, attribute), so app names and states are inert.
var authorizeTmpl = template.Must(template.New("authorize").Parse(authorizeHTML))

// csrfCookie carries the double-submit token: the form echoes it in a
// hidden field, and a cross-site form post can neither read the cookie nor
// (SameSite=Strict) send it, so the two only match for our own form. That
// stops login CSRF, where a forged post would bind the victim's browser to
// the attacker's account.
const csrfCookie = "starling_oauth_csrf"

// langPattern accepts a BCP 47-ish tag for <html lang>.
var langPattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// authorizeParams are the authorization request's parameters, from the
// query (GET) or the form (POST, where the page echoes them).
type authorizeParams struct {
	ResponseType        string `param:"response_type"`
	ClientID            string `param:"client_id"`
	RedirectURI         string `param:"redirect_uri"`
	Scope               string `param:"scope"`
	State               string `param:"state"`
	CodeChallenge       string `param:"code_challenge"`
	CodeChallengeMethod string `param:"code_challenge_method"`
	ForceLogin          string `param:"force_login"` // always honoured: there is no browser session
	Lang                string `param:"lang"`
	// The form's own fields (POST only).
	CSRF     string `param:"csrf_token"`
	Username string `param:"username"`
	Password string `param:"password"`
	Decision string `param:"decision"`
}

// authorizePage is the template's data.
type authorizePage struct {
	Instance, Lang                               string
	Fatal                                        bool
	Error                                        string
	Code                                         string
	AppName, Website                             string
	Scopes                                       []string
	CSRF, ClientID, RedirectURI, Scope, State    string
	CodeChallenge, CodeChallengeMethod, Username string
}

// authorize handles GET /oauth/authorize: the login-and-consent page.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	p, auth, ok := h.checkAuthorize(w, r)
	if !ok {
		return
	}
	csrf := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: csrf, Path: "/oauth/authorize", MaxAge: 3600,
		HttpOnly: true, Secure: strings.HasPrefix(h.baseURL, "https://"), SameSite: http.SameSiteStrictMode,
	})
	h.renderAuthorize(w, http.StatusOK, h.consentPage(p, auth, csrf, ""))
}

// authorizeSubmit handles POST /oauth/authorize: the form's credentials and
// decision. On approval it redirects to the client with a code (or shows the
// code, for the out-of-band redirect).
func (h *Handler) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	p, auth, ok := h.checkAuthorize(w, r)
	if !ok {
		return
	}
	cookie, err := r.Cookie(csrfCookie)
	if err != nil || p.CSRF == "" || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(p.CSRF)) != 1 {
		h.renderAuthorize(w, http.StatusForbidden, authorizePage{Fatal: true,
			Error: "This form has expired or did not come from this server. Go back to the app and start again."})
		return
	}
	if p.Decision != "approve" {
		h.authorizeRedirect(w, r, auth.RedirectURI, p.State, url.Values{
			"error": {"access_denied"}, "error_description": {"The resource owner denied the request."}})
		return
	}
	code, err := h.svc.Authorize(r.Context(), auth, p.Username, p.Password)
	if social.KindOf(err) == social.KindInvalid {
		page := h.consentPage(p, auth, p.CSRF, social.SafeMessage(err))
		h.renderAuthorize(w, http.StatusUnauthorized, page)
		return
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "authorize", "err", err)
		h.renderAuthorize(w, http.StatusInternalServerError, authorizePage{Fatal: true, Error: "Internal server error"})
		return
	}
	if auth.RedirectURI == social.OOBRedirect {
		h.renderAuthorize(w, http.StatusOK, authorizePage{Code: code, AppName: auth.App.Name, Lang: pageLang(p.Lang), Instance: h.info.Title})
		return
	}
	h.authorizeRedirect(w, r, auth.RedirectURI, p.State, url.Values{"code": {code}})
}

// checkAuthorize parses and checks the request. Every error is shown on
// the page, none is sent to the redirect URI (RFC 6749 §4.1.2.1 would
// redirect some): anyone may register an app with any redirect URI, so a
// redirect before the user has acted would make this server an open
// redirector for a link to it (RFC 9700 §4.11.2). Only the user's own
// decision on this page's form sends the browser to the app.
func (h *Handler) checkAuthorize(w http.ResponseWriter, r *http.Request) (*authorizeParams, *social.Authorization, bool) {
	var p authorizeParams
	if err := decodeParams(r, &p); err != nil {
		h.renderAuthorize(w, http.StatusBadRequest, authorizePage{Fatal: true, Error: err.Error()})
		return nil, nil, false
	}
	auth, err := h.svc.PrepareAuthorization(r.Context(), social.AuthorizeRequest{
		ClientID: p.ClientID, RedirectURI: p.RedirectURI, Scope: p.Scope,
		CodeChallenge: p.CodeChallenge, CodeChallengeMethod: p.CodeChallengeMethod,
	})
	switch {
	case social.KindOf(err) == social.KindInvalid:
		h.renderAuthorize(w, http.StatusBadRequest, authorizePage{Fatal: true, Error: social.SafeMessage(err)})
		return nil, nil, false
	case err != nil:
		h.log.ErrorContext(r.Context(), "authorize", "err", err)
		h.renderAuthorize(w, http.StatusInternalServerError, authorizePage{Fatal: true, Error: "Internal server error"})
		return nil, nil, false
	case p.ResponseType != "code":
		h.renderAuthorize(w, http.StatusBadRequest, authorizePage{Fatal: true,
			Error: "The authorization server does not support this response type; use code."})
		return nil, nil, false
	}
	return &p, auth, true
}

// authorizeRedirect sends the browser back to the client with params and
// state, after the user's decision. For the out-of-band URI there is
// nowhere to go, so errors are shown.
func (h *Handler) authorizeRedirect(w http.ResponseWriter, r *http.Request, redirect, state string, params url.Values) {
	if redirect == social.OOBRedirect {
		h.renderAuthorize(w, http.StatusBadRequest, authorizePage{Fatal: true, Error: params.Get("error_description")})
		return
	}
	u, err := url.Parse(redirect)
	if err != nil { // registered URIs were checked at app creation
		h.renderAuthorize(w, http.StatusBadRequest, authorizePage{Fatal: true, Error: "The redirect URI is malformed."})
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (h *Handler) consentPage(p *authorizeParams, a *social.Authorization, csrf, errMsg string) authorizePage {
	return authorizePage{
		Instance: h.info.Title, Lang: pageLang(p.Lang), Error: errMsg,
		AppName: a.App.Name, Website: a.App.Website, Scopes: a.Scopes,
		CSRF: csrf, ClientID: a.App.ClientID, RedirectURI: a.RedirectURI, Scope: strings.Join(a.Scopes, " "),
		State: p.State, CodeChallenge: a.CodeChallenge, CodeChallengeMethod: a.CodeChallengeMethod,
		Username: p.Username,
	}
}

// renderAuthorize writes the page with headers that keep it out of frames
// (clickjacking), caches and Referer headers, and forbid every external
// asset or script.
func (h *Handler) renderAuthorize(w http.ResponseWriter, status int, page authorizePage) {
	if page.Instance == "" {
		page.Instance = h.info.Title
	}
	if page.Lang == "" {
		page.Lang = "en"
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_ = authorizeTmpl.Execute(w, page)
}

func pageLang(l string) string {
	if langPattern.MatchString(l) {
		return l
	}
	return "en"
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
