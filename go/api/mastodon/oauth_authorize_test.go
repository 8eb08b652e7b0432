package mastodon

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

const callback = "https://client.example/callback"

// codeApp registers an app with a real callback and the OOB URI.
func (e *testEnv) codeApp() *store.App {
	e.t.Helper()
	app, err := e.svc.CreateApp(context.Background(), social.AppInput{
		Name: `Client <script>alert("x")</script>`, RedirectURIs: callback + " " + social.OOBRedirect, Scopes: "read write",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return app
}

var hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consent GETs the page and returns the CSRF cookie and form token.
func (e *testEnv) consent(query url.Values) (*http.Cookie, string) {
	e.t.Helper()
	rec := e.get("/oauth/authorize?"+query.Encode(), "")
	wantStatus(e.t, rec, http.StatusOK)
	body := rec.Body.String()
	if strings.Contains(body, "<script>") {
		e.t.Fatal("consent page echoes the app name unescaped")
	}
	if rec.Header().Get("X-Frame-Options") != "DENY" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		e.t.Errorf("consent page headers: %v", rec.Header())
	}
	m := hiddenCSRF.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != csrfCookie || !cookies[0].HttpOnly {
		e.t.Fatalf("cookies = %v, want one HttpOnly %s", cookies, csrfCookie)
	}
	return cookies[0], html.UnescapeString(m[1])
}

// submit POSTs the form with the cookie.
func (e *testEnv) submit(cookie *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oauth/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

func pkcePair() (verifier, challenge string) {
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-the-verifier"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeCode runs the page for app with PKCE and returns the code from
// the redirect, checking the state comes back.
func (e *testEnv) authorizeCode(app *store.App, challenge string) string {
	e.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {callback},
		"scope": {"read write:statuses"}, "state": {"xyz&<>"}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}, "force_login": {"true"}, "lang": {"en"}}
	cookie, csrf := e.consent(q)
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("csrf_token", csrf)
	form.Set("username", "alice")
	form.Set("password", testPassword)
	form.Set("decision", "approve")
	rec := e.submit(cookie, form)
	wantStatus(e.t, rec, http.StatusFound)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), callback+"?") {
		e.t.Fatalf("redirect to %q", rec.Header().Get("Location"))
	}
	if loc.Query().Get("state") != "xyz&<>" || loc.Query().Get("code") == "" {
		e.t.Fatalf("redirect query %v, want code and state", loc.Query())
	}
	return loc.Query().Get("code")
}

func (e *testEnv) exchange(app *store.App, code, redirect, verifier string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.postForm("/oauth/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"code_verifier": {verifier}})
}

func TestAuthorizationCodeFlowWithPKCE(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	app := e.codeApp()
	verifier, challenge := pkcePair()

	code := e.authorizeCode(app, challenge)
	rec := e.exchange(app, code, callback, verifier)
	wantStatus(t, rec, http.StatusOK)
	tok := decodeObject(t, rec)
	if tok["scope"] != "read write:statuses" || tok["token_type"] != "Bearer" {
		t.Errorf("token = %v", tok)
	}
	access := tok["access_token"].(string)
	me := e.get("/api/v1/accounts/verify_credentials", access)
	wantStatus(t, me, http.StatusOK)
	wantAccount(t, decodeObject(t, me), alice)

	// A replay fails, and revokes the token the code granted.
	wantStatus(t, e.exchange(app, code, callback, verifier), http.StatusBadRequest)
	wantStatus(t, e.get("/api/v1/accounts/verify_credentials", access), http.StatusUnauthorized)

	// Wrong verifier, wrong redirect URI, another client, no verifier: refused.
	for name, try := range map[string]func(code string) *httptest.ResponseRecorder{
		"wrong verifier": func(c string) *httptest.ResponseRecorder { return e.exchange(app, c, callback, verifier+"x") },
		"no verifier":    func(c string) *httptest.ResponseRecorder { return e.exchange(app, c, callback, "") },
		"wrong redirect": func(c string) *httptest.ResponseRecorder {
			return e.exchange(app, c, social.OOBRedirect, verifier)
		},
		"other client": func(c string) *httptest.ResponseRecorder { return e.exchange(e.app, c, callback, verifier) },
	} {
		c := e.authorizeCode(app, challenge)
		rec := try(c)
		wantStatus(t, rec, http.StatusBadRequest)
		if obj := decodeObject(t, rec); obj["error"] != "invalid_grant" {
			t.Errorf("%s: error %v, want invalid_grant", name, obj["error"])
		}
		// The refused attempt did not burn the code for the real client.
		wantStatus(t, e.exchange(app, c, callback, verifier), http.StatusOK)
	}
}

func TestAuthorizeOOBShowsCode(t *testing.T) {
	e := newTestEnv(t)
	e.user("alice", "read")
	app := e.codeApp()
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {social.OOBRedirect}, "scope": {"read"}}
	cookie, csrf := e.consent(q)
	form := url.Values{"csrf_token": {csrf}, "username": {"alice"}, "password": {testPassword}, "decision": {"approve"}}
	for k, v := range q {
		form[k] = v
	}
	rec := e.submit(cookie, form)
	wantStatus(t, rec, http.StatusOK)
	m := regexp.MustCompile(`<code id="code">([^<]+)</code>`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no code on the page:\n%s", rec.Body.String())
	}
	wantStatus(t, e.exchange(app, m[1], social.OOBRedirect, ""), http.StatusOK)
}

func TestAuthorizeRefusals(t *testing.T) {
	e := newTestEnv(t)
	e.user("alice", "read")
	app := e.codeApp()
	base := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {callback}, "scope": {"read"}, "state": {"s"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range base {
			q[kk] = vv
		}
		q.Set(k, v)
		return q
	}
	// No error is redirected, not even to a registered URI: anyone can
	// register one, and a redirect before the user acts is an open
	// redirect. The page says what is wrong.
	for q, wantMsg := range map[string]string{
		with("redirect_uri", "https://evil.example/").Encode(): "redirect URI",
		with("client_id", "nope").Encode():                     "client is unknown",
		with("scope", "admin:write").Encode():                  "scope is invalid",
		with("response_type", "token").Encode():                "response type",
		with("code_challenge_method", "S512").Encode():         "code_challenge_method",
		with("code_challenge", "short").Encode():               "code_challenge must be",
	} {
		rec := e.get("/oauth/authorize?"+q, "")
		wantStatus(t, rec, http.StatusBadRequest)
		if loc := rec.Header().Get("Location"); loc != "" {
			t.Errorf("%s: redirected to %s", q, loc)
		}
		if !strings.Contains(rec.Body.String(), wantMsg) {
			t.Errorf("%s: page lacks %q:\n%s", q, wantMsg, rec.Body.String())
		}
	}

	cookie, csrf := e.consent(base)
	form := with("username", "alice")
	form.Set("password", testPassword)
	form.Set("decision", "approve")
	// Without the cookie, or with a token from another form: forbidden.
	form.Set("csrf_token", csrf)
	wantStatus(t, e.submit(nil, form), http.StatusForbidden)
	form.Set("csrf_token", "forged")
	wantStatus(t, e.submit(cookie, form), http.StatusForbidden)
	// A wrong password shows the form again.
	form.Set("csrf_token", csrf)
	form.Set("password", "wrong")
	rec := e.submit(cookie, form)
	wantStatus(t, rec, http.StatusUnauthorized)
	if !strings.Contains(rec.Body.String(), "Invalid username or password") || !hiddenCSRF.MatchString(rec.Body.String()) {
		t.Errorf("wrong password page:\n%s", rec.Body.String())
	}
	// Deny sends access_denied back.
	form.Set("decision", "deny")
	rec = e.submit(cookie, form)
	wantStatus(t, rec, http.StatusFound)
	if loc, _ := url.Parse(rec.Header().Get("Location")); loc.Query().Get("error") != "access_denied" {
		t.Errorf("deny redirect %v", loc)
	}
}
