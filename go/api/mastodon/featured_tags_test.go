package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestFeaturedTags(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	e.post(alice, "#Cats and #dogs", store.VisibilityPublic)
	e.post(alice, "more #cats", store.VisibilityUnlisted)
	e.post(alice, "secret #cats", store.VisibilityPrivate)
	e.post(alice, "#birds", store.VisibilityPublic)

	rec := e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {"#Cats"}})
	wantStatus(t, rec, http.StatusOK)
	ft := decodeObject(t, rec)
	wantShape(t, "FeaturedTag", ft, map[string]string{"id": "string", "name": "string", "url": "string",
		"statuses_count": "string", "last_status_at": "string"})
	if ft["name"] != "cats" || ft["statuses_count"] != "2" || ft["url"] != testBaseURL+"/@alice/tagged/cats" {
		t.Errorf("featured tag = %v, want cats used twice (public and unlisted)", ft)
	}
	// Again: the same one, not a second.
	if again := decodeObject(t, e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {"cats"}})); again["id"] != ft["id"] {
		t.Errorf("featuring again gave %v, want %v", again["id"], ft["id"])
	}
	rec = e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {"unused"}})
	wantStatus(t, rec, http.StatusOK)
	if unused := decodeObject(t, rec); unused["statuses_count"] != "0" || unused["last_status_at"] != nil {
		t.Errorf("an unused featured tag = %v", unused)
	}
	wantError(t, e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {"not a tag"}}), http.StatusUnprocessableEntity)
	wantError(t, e.postForm("/api/v1/featured_tags", tok, nil), http.StatusUnprocessableEntity)

	// Suggestions: used recently, not featured yet, with history.
	sugg := decodeList(t, e.get("/api/v1/featured_tags/suggestions", tok))
	if got := tagNames(t, sugg); !slices.Equal(got, []string{"birds:false", "dogs:false"}) {
		t.Errorf("suggestions = %v, want birds and dogs", got)
	}

	// Anyone sees the profile's featured tags; only the owner removes them.
	for _, who := range []string{"", bobTok, tok} {
		list := decodeList(t, e.get("/api/v1/accounts/"+formatID(alice.ID)+"/featured_tags", who))
		if len(list) != 2 || list[0]["name"] != "cats" || list[1]["name"] != "unused" {
			t.Errorf("alice's featured tags as %q = %v", who, list)
		}
	}
	wantError(t, e.get("/api/v1/accounts/424242/featured_tags", ""), http.StatusNotFound)
	wantError(t, e.do(http.MethodDelete, "/api/v1/featured_tags/"+ft["id"].(string), bobTok, "", nil), http.StatusNotFound)
	rec = e.do(http.MethodDelete, "/api/v1/featured_tags/"+ft["id"].(string), tok, "", nil)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec); len(got) != 0 {
		t.Errorf("delete answered %v, want {}", got)
	}
	wantError(t, e.do(http.MethodDelete, "/api/v1/featured_tags/"+ft["id"].(string), tok, "", nil), http.StatusNotFound)
	if own := decodeList(t, e.get("/api/v1/featured_tags", tok)); len(own) != 1 || own[0]["name"] != "unused" {
		t.Errorf("own featured tags after delete = %v", own)
	}

	// Ten at most, as Mastodon (and the instance says so).
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"} {
		wantStatus(t, e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {n}}), http.StatusOK)
	}
	wantError(t, e.postForm("/api/v1/featured_tags", tok, url.Values{"name": {"eleventh"}}), http.StatusUnprocessableEntity)
	conf := decodeObject(t, e.get("/api/v2/instance", ""))["configuration"].(map[string]any)
	if got := conf["accounts"].(map[string]any)["max_featured_tags"]; got != 10.0 {
		t.Errorf("max_featured_tags = %v, want 10", got)
	}
}
