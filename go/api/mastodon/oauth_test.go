package mastodon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
)

func TestOAuthToken(t *testing.T) {
	e := newTestEnv(t)
	e.user("alice", "read")
	id, secret := e.app.ClientID, e.app.ClientSecret
	tests := []struct {
		name      string
		form      url.Values
		code      int
		wantError string // OAuth error code; "" for success
		wantScope string
	}{
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {secret},
			"username": {"alice"}, "password": {testPassword}, "scope": {"read write"}}, http.StatusOK, "", "read write"},
		{"password grant, @username, app scopes", url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {secret},
			"username": {"@alice"}, "password": {testPassword}}, http.StatusOK, "", "read write follow"},
		{"client credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
			"scope": {"read"}}, http.StatusOK, "", "read"},
		{"unsupported grant", url.Values{"grant_type": {"implicit"}, "client_id": {id}, "client_secret": {secret},
			"code": {"x"}}, http.StatusBadRequest, "unsupported_grant_type", ""},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "client_id": {id}, "client_secret": {secret},
			"code": {"x"}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}}, http.StatusBadRequest, "invalid_grant", ""},
		{"missing grant", url.Values{"client_id": {id}, "client_secret": {secret}}, http.StatusBadRequest, "unsupported_grant_type", ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"nope"}},
			http.StatusUnauthorized, "invalid_client", ""},
		{"unknown client", url.Values{"grant_type": {"password"}, "client_id": {"nope"}, "client_secret": {secret},
			"username": {"alice"}, "password": {testPassword}}, http.StatusUnauthorized, "invalid_client", ""},
		{"wrong password", url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {secret},
			"username": {"alice"}, "password": {"wrong password"}}, http.StatusBadRequest, "invalid_grant", ""},
		{"scope beyond the app", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
			"scope": {"admin:read"}}, http.StatusBadRequest, "invalid_grant", ""},
		{"unknown scope", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
			"scope": {"everything"}}, http.StatusBadRequest, "invalid_grant", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.postForm("/oauth/token", "", tt.form)
			wantStatus(t, rec, tt.code)
			body := decodeObject(t, rec)
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Fatalf("error = %v, want %s", body["error"], tt.wantError)
				}
				if d, _ := body["error_description"].(string); d == "" {
					t.Fatalf("no error_description in %s", rec.Body)
				}
				return
			}
			if body["scope"] != tt.wantScope || body["token_type"] != "Bearer" || body["access_token"] == "" {
				t.Fatalf("token %v, want scope %q", body, tt.wantScope)
			}
		})
	}

	// The unknown user costs a real bcrypt comparison and still gets the
	// same answer as a wrong password.
	rec := e.postJSON("/oauth/token", "", map[string]string{"grant_type": "password", "client_id": id,
		"client_secret": secret, "username": "nobody", "password": testPassword})
	wantStatus(t, rec, http.StatusBadRequest)
	if body := decodeObject(t, rec); body["error"] != "invalid_grant" {
		t.Fatalf("unknown user: %v", body)
	}

	rec = e.do(http.MethodPost, "/oauth/token", "", "application/json", strings.NewReader("{"))
	wantStatus(t, rec, http.StatusBadRequest)
	if body := decodeObject(t, rec); body["error"] != "invalid_request" {
		t.Fatalf("malformed body: %v", body)
	}
}

func TestOAuthRevoke(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read")
	other, err := e.svc.CreateApp(t.Context(), social.AppInput{Name: "other", Scopes: "read"})
	if err != nil {
		t.Fatal(err)
	}
	revoke := func(clientID, secret, token string) *httptest.ResponseRecorder {
		return e.postForm("/oauth/revoke", "", url.Values{"client_id": {clientID}, "client_secret": {secret}, "token": {token}})
	}

	// Wrong client credentials: refused, the token still works.
	rec := revoke(e.app.ClientID, "nope", tok)
	wantStatus(t, rec, http.StatusUnauthorized)
	if body := decodeObject(t, rec); body["error"] != "invalid_client" {
		t.Fatalf("bad credentials: %v", body)
	}
	// Another app cannot revoke it either; per RFC 7009 that is not an error.
	wantStatus(t, revoke(other.ClientID, other.ClientSecret, tok), http.StatusOK)
	wantStatus(t, e.get("/api/v1/accounts/verify_credentials", tok), http.StatusOK)

	// The issuing app can; afterwards the token is dead, and revoking again is fine.
	rec = revoke(e.app.ClientID, e.app.ClientSecret, tok)
	wantStatus(t, rec, http.StatusOK)
	if strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("revoke body %s, want {}", rec.Body)
	}
	wantError(t, e.get("/api/v1/accounts/verify_credentials", tok), http.StatusUnauthorized)
	wantStatus(t, revoke(e.app.ClientID, e.app.ClientSecret, tok), http.StatusOK)
	wantStatus(t, revoke(e.app.ClientID, e.app.ClientSecret, "never-issued"), http.StatusOK)
}
