package mastodon

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestOAuthMetadata: RFC 8414 metadata as Mastodon 4.3 serves it, listing
// only what the endpoints really accept.
func TestOAuthMetadata(t *testing.T) {
	e := newTestEnv(t)
	rec := e.get("/.well-known/oauth-authorization-server", "")
	wantStatus(t, rec, http.StatusOK)
	var md oauthMetadataDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &md); err != nil {
		t.Fatal(err)
	}
	if md.Issuer != testBaseURL+"/" || md.AuthorizationEndpoint != testBaseURL+"/oauth/authorize" ||
		md.TokenEndpoint != testBaseURL+"/oauth/token" || md.RevocationEndpoint != testBaseURL+"/oauth/revoke" ||
		md.AppRegistrationEndpoint != testBaseURL+"/api/v1/apps" {
		t.Errorf("endpoints: %+v", md)
	}
	for _, path := range []string{md.AuthorizationEndpoint, md.TokenEndpoint, md.RevocationEndpoint, md.AppRegistrationEndpoint} {
		u, _ := url.Parse(path)
		if !e.router.Match(chiContext(), http.MethodPost, u.Path) && !e.router.Match(chiContext(), http.MethodGet, u.Path) {
			t.Errorf("%s is advertised and not routed", path)
		}
	}
	if !slices.Contains(md.CodeChallengeMethodsSupported, "S256") || !slices.Equal(md.ResponseTypesSupported, []string{"code"}) {
		t.Errorf("PKCE %v, response types %v", md.CodeChallengeMethodsSupported, md.ResponseTypesSupported)
	}
	// Every advertised scope is one the token endpoint grants.
	if _, err := social.ParseScopes(strings.Join(md.ScopesSupported, " ")); err != nil {
		t.Errorf("scopes_supported has a scope the server refuses: %v", err)
	}
	for _, s := range []string{"read", "write", "follow", "push", "profile", "read:statuses", "write:statuses"} {
		if !slices.Contains(md.ScopesSupported, s) {
			t.Errorf("scopes_supported lacks %q", s)
		}
	}

	// Every advertised grant type is accepted (it fails on the missing
	// client, not as unsupported), and one not advertised is refused.
	for _, grant := range append(md.GrantTypesSupported, "refresh_token") {
		rec := e.postForm("/oauth/token", "", url.Values{"grant_type": {grant}, "client_id": {"nope"}, "client_secret": {"nope"}})
		unsupported := decodeObject(t, rec)["error"] == "unsupported_grant_type"
		if unsupported == slices.Contains(md.GrantTypesSupported, grant) {
			t.Errorf("grant %q: advertised %v, refused as unsupported %v", grant, !unsupported, unsupported)
		}
	}
	// Every advertised PKCE method is accepted by the authorization page.
	app, err := e.svc.CreateApp(t.Context(), social.AppInput{Name: "pkce", RedirectURIs: "https://app.example/cb", Scopes: "read"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range append(md.CodeChallengeMethodsSupported, "S512") {
		q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {"https://app.example/cb"},
			"scope": {"read"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {m}}
		rec := e.get("/oauth/authorize?"+q.Encode(), "")
		if ok := rec.Code == http.StatusOK; ok != slices.Contains(md.CodeChallengeMethodsSupported, m) {
			t.Errorf("code_challenge_method %q: status %d", m, rec.Code)
		}
	}
}

// megalodonKnown are the software names megalodon's detector (the library
// under Whalebird and Fedistar; src/detector.ts) maps by name; any other
// is a Mastodon only if metadata.upstream.name says so.
var megalodonKnown = []string{"akkoma", "firefish", "friendica", "gotosocial", "hometown", "iceshrimp", "mastodon", "pixelfed", "pleroma"}

// TestNodeInfo follows megalodon's detector step by step: the first 2.0 or
// 2.1 link of /.well-known/nodeinfo, then software.name, then
// metadata.upstream.name.
func TestNodeInfo(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	e.user("bob", "read")
	e.post(alice, "one", store.VisibilityPublic)
	e.post(alice, "two", store.VisibilityDirect)

	var links nodeInfoLinksDoc
	if err := json.Unmarshal(e.get("/.well-known/nodeinfo", "").Body.Bytes(), &links); err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, l := range links.Links {
		rels = append(rels, l.Rel)
		if l.Href != testBaseURL+"/nodeinfo/"+strings.TrimPrefix(l.Rel, nodeInfoSchema) {
			t.Errorf("link %s -> %s", l.Rel, l.Href)
		}
	}
	if !slices.Equal(rels, []string{nodeInfoSchema + "2.0", nodeInfoSchema + "2.1"}) {
		t.Fatalf("rels = %v", rels)
	}

	name := regexp.MustCompile(`^[a-z0-9-]+$`) // the NodeInfo schema's pattern
	for _, l := range links.Links {
		version := strings.TrimPrefix(l.Rel, nodeInfoSchema)
		rec := e.get(strings.TrimPrefix(l.Href, testBaseURL), "")
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); ct != `application/json; profile="`+l.Rel+`#"` {
			t.Errorf("%s: Content-Type %q", version, ct)
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		wantShape(t, "NodeInfo "+version, doc, map[string]string{
			"version": "string", "software": "object", "protocols": "array", "services": "object",
			"openRegistrations": "boolean", "usage": "object", "metadata": "object",
		})
		sw := doc["software"].(map[string]any)
		if doc["version"] != version || !name.MatchString(sw["name"].(string)) || sw["version"] != "test" {
			t.Errorf("%s: version %v, software %v", version, doc["version"], sw)
		}
		if _, ok := sw["repository"]; ok != (version == "2.1") {
			t.Errorf("%s: software.repository present = %v (2.1 only)", version, ok)
		}
		// megalodon: an unknown name is Mastodon when upstream says so.
		up, _ := doc["metadata"].(map[string]any)["upstream"].(map[string]any)
		if slices.Contains(megalodonKnown, sw["name"].(string)) || !strings.EqualFold(up["name"].(string), "mastodon") {
			t.Errorf("%s: megalodon would not detect Mastodon: software %v, upstream %v", version, sw, up)
		}
		usage := doc["usage"].(map[string]any)
		users := usage["users"].(map[string]any)
		// The direct status is not counted, as in Mastodon's statuses_count.
		if users["total"] != 2.0 || users["activeMonth"] != 1.0 || usage["localPosts"] != 1.0 {
			t.Errorf("%s: usage %v, want 2 users, 1 active, 1 post", version, usage)
		}
		if doc["openRegistrations"] != true || len(doc["protocols"].([]any)) != 0 {
			t.Errorf("%s: openRegistrations %v, protocols %v (Starling does not federate)", version, doc["openRegistrations"], doc["protocols"])
		}
	}
	wantError(t, e.get("/nodeinfo/3.0", ""), http.StatusNotFound)
	wantError(t, e.get("/nodeinfo/2.0.json%00", ""), http.StatusNotFound)
	// Query strings are not read: junk in them changes nothing.
	wantStatus(t, e.get("/nodeinfo/2.0?x=%00%ff&"+strings.Repeat("a=1&", 500), ""), http.StatusOK)
}
