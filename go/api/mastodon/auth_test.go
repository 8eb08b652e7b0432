package mastodon

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestAuthenticate runs the auth middleware in front of a handler that
// reports what it found on the context.
func TestAuthenticate(t *testing.T) {
	e := newTestEnv(t)
	_, full := e.user("alice", "read write follow")
	_, readStatuses := e.user("bob", "read:statuses")
	_, writeOnly := e.user("carol", "write")
	_, followOnly := e.user("dave", "follow")
	app := e.appToken("read write")

	tests := []struct {
		name     string
		opts     authOptions
		header   string // Authorization
		query    string
		code     int
		wantUser bool
	}{
		{"missing token", authOptions{scope: "read:statuses", user: true}, "", "", http.StatusUnauthorized, false},
		{"unknown token", authOptions{scope: "read:statuses", user: true}, "Bearer nope", "", http.StatusUnauthorized, false},
		{"empty bearer", authOptions{scope: "read:statuses", user: true}, "Bearer ", "", http.StatusUnauthorized, false},
		{"wrong scheme", authOptions{scope: "read:statuses", user: true}, "Basic " + full, "", http.StatusUnauthorized, false},
		{"lower-case scheme", authOptions{scope: "read:statuses", user: true}, "bearer " + full, "", http.StatusOK, true},
		{"access_token query", authOptions{scope: "read:statuses", user: true}, "", "access_token=" + full, http.StatusOK, true},
		{"header wins over query", authOptions{scope: "read:statuses", user: true}, "Bearer nope", "access_token=" + full, http.StatusUnauthorized, false},
		{"app token on a user route", authOptions{scope: "read:statuses", user: true}, "Bearer " + app, "", http.StatusUnprocessableEntity, false},
		{"app token on an app route", authOptions{scope: "write:accounts"}, "Bearer " + app, "", http.StatusOK, false},
		{"user token on an app route", authOptions{scope: "write:accounts"}, "Bearer " + full, "", http.StatusOK, true},
		{"missing scope", authOptions{scope: "write:statuses", user: true}, "Bearer " + readStatuses, "", http.StatusForbidden, false},
		{"granular scope", authOptions{scope: "read:statuses", user: true}, "Bearer " + readStatuses, "", http.StatusOK, true},
		{"granular scope is not its sibling", authOptions{scope: "read:accounts", user: true}, "Bearer " + readStatuses, "", http.StatusForbidden, false},
		{"top scope covers granular", authOptions{scope: "write:statuses", user: true}, "Bearer " + writeOnly, "", http.StatusOK, true},
		{"write does not cover read", authOptions{scope: "read:statuses", user: true}, "Bearer " + writeOnly, "", http.StatusForbidden, false},
		{"legacy follow scope", authOptions{scope: "write:follows", user: true}, "Bearer " + followOnly, "", http.StatusOK, true},
		{"app token missing scope", authOptions{scope: "follow"}, "Bearer " + app, "", http.StatusForbidden, false},
		{"optional, anonymous", authOptions{scope: "read:statuses", optional: true}, "", "", http.StatusOK, false},
		{"optional, logged in", authOptions{scope: "read:statuses", optional: true}, "Bearer " + full, "", http.StatusOK, true},
		{"optional, invalid token", authOptions{scope: "read:statuses", optional: true}, "Bearer nope", "", http.StatusUnauthorized, false},
		{"optional, missing scope", authOptions{scope: "read:accounts", optional: true}, "Bearer " + readStatuses, "", http.StatusForbidden, false},
		{"alternative scope", authOptions{scope: "read:accounts", orScopes: []string{"read:statuses"}, user: true}, "Bearer " + readStatuses, "", http.StatusOK, true},
		{"neither scope", authOptions{scope: "read:accounts", orScopes: []string{"profile"}, user: true}, "Bearer " + readStatuses, "", http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached := false
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				anonymous := tt.header == "" && tt.query == ""
				if _, ok := sessionFrom(r.Context()); ok == anonymous {
					t.Errorf("session on context = %v for anonymous = %v", ok, anonymous)
				}
				if got := viewer(r.Context()) != nil; got != tt.wantUser {
					t.Errorf("viewer present = %v, want %v", got, tt.wantUser)
				}
				w.WriteHeader(http.StatusOK)
			})
			req := httptest.NewRequest(http.MethodGet, "/x?"+tt.query, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			e.h.authenticate(tt.opts)(next).ServeHTTP(rec, req)
			if tt.code != http.StatusOK {
				wantError(t, rec, tt.code)
				if reached {
					t.Error("the handler ran for a refused request")
				}
				return
			}
			wantStatus(t, rec, http.StatusOK)
			if !reached {
				t.Error("the handler did not run")
			}
		})
	}
}

// TestRouteScopes checks that the router puts the intended middleware on
// real routes.
func TestRouteScopes(t *testing.T) {
	e := newTestEnv(t)
	_, readStatuses := e.user("alice", "read:statuses")
	_, writeStatuses := e.user("bob", "write:statuses")
	carol, read := e.user("carol", "read")
	dora, writeAccounts := e.user("dora", "write:accounts")
	own := formatID(e.post(dora, "mine", store.VisibilityPublic).ID)
	// A token with only "profile", from an app registered for it.
	profileApp, err := e.svc.CreateApp(t.Context(), social.AppInput{Name: "profile only", Scopes: "profile"})
	if err != nil {
		t.Fatal(err)
	}
	profileTok, err := e.svc.PasswordGrant(t.Context(), profileApp, "carol", testPassword, "profile")
	if err != nil {
		t.Fatal(err)
	}
	profile := profileTok.Secret
	app := e.appToken("read write")
	tests := []struct {
		name, method, target, token string
		code                        int
	}{
		{"verify_credentials anonymous", http.MethodGet, "/api/v1/accounts/verify_credentials", "", http.StatusUnauthorized},
		{"verify_credentials app token", http.MethodGet, "/api/v1/accounts/verify_credentials", app, http.StatusUnprocessableEntity},
		{"verify_credentials without read:accounts", http.MethodGet, "/api/v1/accounts/verify_credentials", readStatuses, http.StatusForbidden},
		{"home with read:statuses", http.MethodGet, "/api/v1/timelines/home", readStatuses, http.StatusOK},
		{"home with write:statuses", http.MethodGet, "/api/v1/timelines/home", writeStatuses, http.StatusForbidden},
		{"post with read:statuses", http.MethodPost, "/api/v1/statuses", readStatuses, http.StatusForbidden},
		{"post with write:statuses", http.MethodPost, "/api/v1/statuses?status=hi", writeStatuses, http.StatusOK},
		{"follow without follows scope", http.MethodPost, "/api/v1/accounts/1/follow", writeStatuses, http.StatusForbidden},
		{"register with a read-only token", http.MethodPost, "/api/v1/accounts", e.appToken("read"), http.StatusForbidden},
		// Mastodon 4.3: the profile scope reads verify_credentials, and nothing else.
		{"verify_credentials with profile", http.MethodGet, "/api/v1/accounts/verify_credentials", profile, http.StatusOK},
		{"update_credentials with profile", http.MethodPatch, "/api/v1/accounts/update_credentials", profile, http.StatusForbidden},
		{"home with profile", http.MethodGet, "/api/v1/timelines/home", profile, http.StatusForbidden},
		// The suggestions docs ask for read, for the GET and the DELETE alike.
		{"suggestions with read", http.MethodGet, "/api/v2/suggestions", read, http.StatusOK},
		{"suggestions with read:statuses", http.MethodGet, "/api/v2/suggestions", readStatuses, http.StatusForbidden},
		{"dismiss suggestion with read", http.MethodDelete, "/api/v1/suggestions/" + formatID(carol.ID), read, http.StatusOK},
		{"dismiss suggestion with write:statuses", http.MethodDelete, "/api/v1/suggestions/" + formatID(carol.ID), writeStatuses, http.StatusForbidden},
		// Pins are account features: write:accounts, as in Mastodon.
		{"pin with write:statuses", http.MethodPost, "/api/v1/statuses/" + own + "/pin", writeStatuses, http.StatusForbidden},
		{"pin with write:accounts", http.MethodPost, "/api/v1/statuses/" + own + "/pin", writeAccounts, http.StatusOK},
		{"unpin with write:accounts", http.MethodPost, "/api/v1/statuses/" + own + "/unpin", writeAccounts, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(tt.method, tt.target, tt.token, "", nil)
			if tt.code == http.StatusOK {
				wantStatus(t, rec, tt.code)
				return
			}
			wantError(t, rec, tt.code)
		})
	}
}
