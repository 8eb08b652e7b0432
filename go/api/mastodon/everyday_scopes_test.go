package mastodon

import (
	"net/http"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestEverydayRouteScopes checks the scopes of the everyday endpoints
// (markers, preferences, followed and featured tags, conversation mutes,
// notes, reports, domain blocks, announcements), as Mastodon documents
// them: each route passes with its scope and fails with a neighbour's.
func TestEverydayRouteScopes(t *testing.T) {
	e := newTestEnvWithRules(t, []social.Rule{{ID: 1, Text: "Be kind"}})
	tokens := map[string]string{}
	var owner *store.Account
	for i, scope := range []string{"read:statuses", "write:statuses", "read:accounts", "write:accounts",
		"read:follows", "write:follows", "write:mutes", "write:reports", "read:blocks", "write:blocks",
		"follow", "read:lists", "write:favourites", "read"} {
		a, tok := e.user("u"+formatID(int64(i)), scope)
		tokens[scope] = tok
		if owner == nil {
			owner = a
		}
	}
	st := formatID(e.post(owner, "a status", store.VisibilityPublic).ID)
	acct := formatID(owner.ID)
	a, err := e.svc.CreateAnnouncement(t.Context(), "test", social.AnnouncementInput{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	ann := formatID(a.ID)
	app := e.appToken("read write follow")
	tests := []struct {
		method, target, scope, wrong string
		public                       bool // anonymous and app tokens pass too
	}{
		{http.MethodGet, "/api/v1/markers?timeline[]=home", "read:statuses", "write:statuses", false},
		{http.MethodPost, "/api/v1/markers?home[last_read_id]=1", "write:statuses", "read:statuses", false},
		{http.MethodGet, "/api/v1/preferences", "read:accounts", "read:statuses", false},
		{http.MethodPost, "/api/v1/tags/cats/follow", "write:follows", "read:follows", false},
		{http.MethodPost, "/api/v1/tags/cats/unfollow", "follow", "write:accounts", false}, // the legacy follow scope covers write:follows
		{http.MethodGet, "/api/v1/followed_tags", "read:follows", "read:accounts", false},
		{http.MethodGet, "/api/v1/featured_tags", "read:accounts", "read:follows", false},
		{http.MethodPost, "/api/v1/featured_tags?name=cats", "write:accounts", "write:follows", false},
		{http.MethodGet, "/api/v1/featured_tags/suggestions", "read:accounts", "read:statuses", false},
		{http.MethodPost, "/api/v1/statuses/" + st + "/mute", "write:mutes", "write:statuses", false},
		{http.MethodPost, "/api/v1/statuses/" + st + "/unmute", "write:mutes", "write:blocks", false},
		{http.MethodGet, "/api/v1/statuses?id[]=" + st, "read:statuses", "read:accounts", true},
		{http.MethodPost, "/api/v1/accounts/" + acct + "/note?comment=hi", "write:accounts", "write:follows", false},
		{http.MethodGet, "/api/v1/accounts/" + acct + "/lists", "read:lists", "read:accounts", false},
		{http.MethodGet, "/api/v1/accounts/familiar_followers?id[]=" + acct, "read:follows", "read:accounts", false},
		{http.MethodPost, "/api/v1/reports?account_id=" + acct, "write:reports", "write:accounts", false},
		{http.MethodGet, "/api/v1/domain_blocks", "read:blocks", "read:accounts", false},
		{http.MethodGet, "/api/v1/domain_blocks", "follow", "write:blocks", false},
		{http.MethodPost, "/api/v1/domain_blocks?domain=a.example", "write:blocks", "read:blocks", false},
		{http.MethodDelete, "/api/v1/domain_blocks?domain=a.example", "follow", "write:accounts", false},
		{http.MethodGet, "/api/v1/announcements", "read", "write:accounts", false},
		{http.MethodPost, "/api/v1/announcements/" + ann + "/dismiss", "write:accounts", "read", false},
		{http.MethodPut, "/api/v1/announcements/" + ann + "/reactions/%F0%9F%8E%89", "write:favourites", "write:accounts", false},
		{http.MethodDelete, "/api/v1/announcements/" + ann + "/reactions/%F0%9F%8E%89", "write:favourites", "write:statuses", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			wantStatus(t, e.do(tt.method, tt.target, tokens[tt.scope], "", nil), http.StatusOK)
			wantError(t, e.do(tt.method, tt.target, tokens[tt.wrong], "", nil), http.StatusForbidden)
			if tt.public {
				return
			}
			wantError(t, e.do(tt.method, tt.target, "", "", nil), http.StatusUnauthorized)
			wantError(t, e.do(tt.method, tt.target, app, "", nil), http.StatusUnprocessableEntity)
		})
	}
	// Public: no token needed, and an app token is enough.
	for _, target := range []string{"/api/v1/instance/rules", "/api/v1/instance/extended_description", "/api/v1/instance/peers",
		"/api/v1/instance/activity", "/api/v1/custom_emojis", "/api/v1/trends/links", "/api/v1/statuses?id[]=" + st,
		"/api/v1/accounts/" + acct + "/featured_tags", "/api/v1/tags/cats", "/api/v1/trends/tags"} {
		wantStatus(t, e.get(target, ""), http.StatusOK)
		wantStatus(t, e.get(target, app), http.StatusOK)
	}
}
