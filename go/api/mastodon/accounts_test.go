package mastodon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestRegistrationFlow is a client's first session: register the app, get an
// app token, create the account, then read it back with the token issued.
func TestRegistrationFlow(t *testing.T) {
	e := newTestEnv(t)

	rec := e.postForm("/api/v1/apps", "", url.Values{
		"client_name": {"Tusky"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"},
		"scopes": {"read write follow push"}, "website": {"https://tusky.app"},
	})
	wantStatus(t, rec, http.StatusOK)
	app := decodeObject(t, rec)
	wantShape(t, "Application", app, map[string]string{
		"id": "string", "name": "string", "website": "string", "scopes": "array",
		"redirect_uri": "string", "redirect_uris": "array", "client_id": "string", "client_secret": "string",
	})
	clientID, secret := app["client_id"].(string), app["client_secret"].(string)
	if clientID == "" || secret == "" || clientID == secret {
		t.Fatalf("client credentials %q / %q", clientID, secret)
	}

	rec = e.postForm("/oauth/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {"read write"},
	})
	wantStatus(t, rec, http.StatusOK)
	tok := decodeObject(t, rec)
	wantShape(t, "Token", tok, map[string]string{"access_token": "string", "token_type": "string", "scope": "string", "created_at": "number"})
	if tok["token_type"] != "Bearer" || tok["scope"] != "read write" {
		t.Fatalf("token %v", tok)
	}
	appTok := tok["access_token"].(string)

	// The app token cannot act as a user yet.
	wantError(t, e.get("/api/v1/accounts/verify_credentials", appTok), http.StatusUnprocessableEntity)

	rec = e.postJSON("/api/v1/accounts", appTok, map[string]any{
		"username": "alice", "email": "alice@example.com", "password": testPassword, "agreement": true, "locale": "en",
	})
	wantStatus(t, rec, http.StatusOK)
	userTok, _ := decodeObject(t, rec)["access_token"].(string)
	if userTok == "" || userTok == appTok {
		t.Fatalf("registration token %q", userTok)
	}

	rec = e.get("/api/v1/accounts/verify_credentials", userTok)
	wantStatus(t, rec, http.StatusOK)
	acct := decodeObject(t, rec)
	wantShape(t, "CredentialAccount", acct, accountShape)
	if acct["username"] != "alice" || acct["acct"] != "alice" || acct["last_status_at"] != nil {
		t.Errorf("account %v", acct)
	}
	if acct["url"] != testBaseURL+"/@alice" || !strings.HasPrefix(acct["avatar"].(string), testBaseURL+"/") {
		t.Errorf("url %v, avatar %v", acct["url"], acct["avatar"])
	}
	if s, _ := acct["created_at"].(string); !mastodonTime.MatchString(s) {
		t.Errorf("created_at %q, want the form 2006-01-02T15:04:05.000Z", s)
	}
	source, ok := acct["source"].(map[string]any)
	if !ok {
		t.Fatalf("verify_credentials has no source object: %v", acct["source"])
	}
	wantShape(t, "Source", source, map[string]string{
		"privacy": "string", "sensitive": "boolean", "language": "string", "note": "string",
		"fields": "array", "follow_requests_count": "number",
	})

	// Anyone may read the public account, without the source.
	rec = e.get("/api/v1/accounts/"+acct["id"].(string), "")
	wantStatus(t, rec, http.StatusOK)
	public := decodeObject(t, rec)
	wantShape(t, "Account", public, accountShape)
	if _, ok := public["source"]; ok {
		t.Error("public account exposes source")
	}

	// After a status the counters and last_status_at move.
	wantStatus(t, e.postForm("/api/v1/statuses", userTok, url.Values{"status": {"first"}}), http.StatusOK)
	acct = decodeObject(t, e.get("/api/v1/accounts/verify_credentials", userTok))
	if acct["statuses_count"] != 1.0 {
		t.Errorf("statuses_count = %v, want 1", acct["statuses_count"])
	}
	if day, _ := acct["last_status_at"].(string); len(day) != len("2006-01-02") {
		t.Errorf("last_status_at = %v, want a date", acct["last_status_at"])
	}
}

func TestRegisterErrors(t *testing.T) {
	e := newTestEnv(t)
	e.user("taken", "read")
	_, userTok := e.user("alice", "read write")
	appTok := e.appToken("read write")
	tests := []struct {
		name  string
		token string
		form  url.Values
		code  int
	}{
		{"no token", "", url.Values{"username": {"bob"}, "password": {testPassword}}, http.StatusUnauthorized},
		{"user token", userTok, url.Values{"username": {"bob"}, "password": {testPassword}}, http.StatusForbidden},
		{"taken username", appTok, url.Values{"username": {"TAKEN"}, "password": {testPassword}}, http.StatusUnprocessableEntity},
		{"bad username", appTok, url.Values{"username": {"bob smith"}, "password": {testPassword}}, http.StatusUnprocessableEntity},
		{"short password", appTok, url.Values{"username": {"bob"}, "password": {"short"}}, http.StatusUnprocessableEntity},
		{"bad agreement", appTok, url.Values{"username": {"bob"}, "password": {testPassword}, "agreement": {"sure"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postForm("/api/v1/accounts", tt.token, tt.form), tt.code)
		})
	}
}

func TestGetAccountErrors(t *testing.T) {
	e := newTestEnv(t)
	for _, id := range []string{"123", "abc", "-1", "0"} {
		wantError(t, e.get("/api/v1/accounts/"+id, ""), http.StatusNotFound)
	}
}

// relationshipShape is the Mastodon Relationship entity.
var relationshipShape = map[string]string{
	"id": "string", "following": "boolean", "showing_reblogs": "boolean", "notifying": "boolean",
	"followed_by": "boolean", "blocking": "boolean", "blocked_by": "boolean", "muting": "boolean",
	"muting_notifications": "boolean", "requested": "boolean", "requested_by": "boolean",
	"domain_blocking": "boolean", "endorsed": "boolean", "note": "string", "languages": "array",
}

func TestFollowUnfollow(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write:follows")
	aliceID, bobID := formatID(alice.ID), formatID(bob.ID)

	// bob follows alice back first, so followed_by shows on alice's side.
	wantStatus(t, e.postForm("/api/v1/accounts/"+aliceID+"/follow", bobTok, nil), http.StatusOK)

	steps := []struct {
		name, action string
		body         any // JSON body, or nil for none
		want         map[string]any
	}{
		{"follow", "follow", nil, map[string]any{"following": true, "showing_reblogs": true, "notifying": false, "followed_by": true}},
		{"follow again", "follow", nil, map[string]any{"following": true, "showing_reblogs": true}},
		{"unfollow", "unfollow", nil, map[string]any{"following": false, "showing_reblogs": false, "followed_by": true}},
		{"unfollow again", "unfollow", nil, map[string]any{"following": false}},
		{"follow with options", "follow", map[string]any{"reblogs": false, "notify": true}, map[string]any{"following": true, "showing_reblogs": false, "notifying": true}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			target := "/api/v1/accounts/" + bobID + "/" + s.action
			var rec *httptest.ResponseRecorder
			if s.body == nil {
				// No body at all, with a JSON content type, as masto.js sends.
				rec = e.do(http.MethodPost, target, aliceTok, "application/json", nil)
			} else {
				rec = e.postJSON(target, aliceTok, s.body)
			}
			wantStatus(t, rec, http.StatusOK)
			rel := decodeObject(t, rec)
			wantShape(t, "Relationship", rel, relationshipShape)
			if rel["id"] != bobID {
				t.Errorf("relationship id = %v, want %s", rel["id"], bobID)
			}
			for k, v := range s.want {
				if rel[k] != v {
					t.Errorf("%s = %v, want %v", k, rel[k], v)
				}
			}
		})
	}
}

func TestFollowErrors(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read")
	tests := []struct {
		name, target string
		form         url.Values
		code         int
	}{
		{"yourself", "/api/v1/accounts/" + formatID(alice.ID) + "/follow", nil, http.StatusForbidden},
		{"unknown account", "/api/v1/accounts/42/follow", nil, http.StatusNotFound},
		{"malformed id", "/api/v1/accounts/abc/follow", nil, http.StatusNotFound},
		{"unfollow unknown account", "/api/v1/accounts/42/unfollow", nil, http.StatusNotFound},
		{"bad reblogs flag", "/api/v1/accounts/" + formatID(bob.ID) + "/follow", url.Values{"reblogs": {"maybe"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postForm(tt.target, tok, tt.form), tt.code)
		})
	}
	// A private status of bob's becomes visible to alice once she follows.
	st := e.post(bob, "followers only", store.VisibilityPrivate)
	wantError(t, e.get("/api/v1/statuses/"+formatID(st.ID), tok), http.StatusNotFound)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/follow", tok, nil), http.StatusOK)
	wantStatus(t, e.get("/api/v1/statuses/"+formatID(st.ID), tok), http.StatusOK)
}
