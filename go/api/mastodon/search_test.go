package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// The test env has no vector searcher: full text alone answers.
func TestSearchStatusesFullText(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	_, bobTok := e.user("bob", "read")
	e.post(alice, "nothing here", store.VisibilityPublic)
	want := e.post(alice, "A Kingfisher at dawn", store.VisibilityPublic)
	e.post(alice, "secret kingfisher", store.VisibilityDirect)

	rec := e.get("/api/v2/search?"+url.Values{"q": {"kingfisher"}, "type": {"statuses"}}.Encode(), bobTok)
	wantStatus(t, rec, http.StatusOK)
	obj := decodeObject(t, rec)
	sts := obj["statuses"].([]any)
	if len(sts) != 1 || sts[0].(map[string]any)["id"] != formatID(want.ID) {
		t.Errorf("statuses = %v, want only %d (the direct one is hidden)", sts, want.ID)
	}
	wantShape(t, "Search", obj, map[string]string{"accounts": "array", "statuses": "array", "hashtags": "array"})
}

func TestSearchAllTypes(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read")
	carol, carolTok := e.user("carol", "read write follow")
	_, aliasTok := e.user("alias", "read")
	byAlice := e.post(alice, "#alpaca spotted", store.VisibilityPublic)
	byBob := e.post(bob, "alpaca again #alpacas", store.VisibilityPublic)
	e.post(bob, "#alpine hidden", store.VisibilityPrivate)
	e.follow(carol, bob)

	rec := e.get("/api/v2/search?"+url.Values{"q": {"al"}}.Encode(), "")
	wantStatus(t, rec, http.StatusOK)
	obj := decodeObject(t, rec)
	if got := names(obj["accounts"], "username"); !slices.Equal(got, []string{"alice", "alias"}) {
		t.Errorf("anonymous accounts = %v, want alice, alias (most followers, then oldest)", got)
	}
	if got := names(obj["hashtags"], "name"); !slices.Equal(got, []string{"alpaca", "alpacas"}) {
		t.Errorf("anonymous hashtags = %v, want alpaca, alpacas (the private #alpine hidden)", got)
	}
	tag := obj["hashtags"].([]any)[0].(map[string]any)
	wantShape(t, "Tag", tag, map[string]string{"name": "string", "url": "string", "history": "array"})
	if len(obj["statuses"].([]any)) != 0 {
		t.Errorf("anonymous statuses = %v, want none (status search needs a login)", obj["statuses"])
	}

	search := func(tok string, q url.Values) map[string]any {
		t.Helper()
		rec := e.get("/api/v2/search?"+q.Encode(), tok)
		wantStatus(t, rec, http.StatusOK)
		return decodeObject(t, rec)
	}
	// type limits the lists; account_id and following filter statuses.
	obj = search(aliceTok, url.Values{"q": {"alpaca"}, "type": {"statuses"}, "account_id": {formatID(alice.ID)}})
	if got := names(obj["statuses"], "id"); !slices.Equal(got, []string{formatID(byAlice.ID)}) || len(obj["hashtags"].([]any)) != 0 {
		t.Errorf("account_id statuses = %v, hashtags %v; want only %d and no tags", got, obj["hashtags"], byAlice.ID)
	}
	obj = search(carolTok, url.Values{"q": {"alpaca"}, "following": {"true"}})
	if got := names(obj["statuses"], "id"); !slices.Equal(got, []string{formatID(byBob.ID)}) {
		t.Errorf("following statuses = %v, want only %d", got, byBob.ID)
	}
	obj = search(carolTok, url.Values{"q": {"b"}, "type": {"accounts"}, "following": {"true"}})
	if got := names(obj["accounts"], "username"); !slices.Equal(got, []string{"bob"}) {
		t.Errorf("following accounts = %v, want bob", got)
	}
	// Blocks hide accounts both ways.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(alice.ID)+"/block", carolTok, nil), http.StatusOK)
	obj = search(aliceTok, url.Values{"q": {"c"}, "type": {"accounts"}})
	if got := names(obj["accounts"], "username"); len(got) != 0 {
		t.Errorf("alice, blocked by carol, finds %v", got)
	}
	obj = search(aliasTok, url.Values{"q": {"alpaca"}, "type": {"hashtags"}, "limit": {"1"}, "offset": {"1"}})
	if got := names(obj["hashtags"], "name"); !slices.Equal(got, []string{"alpacas"}) {
		t.Errorf("limit 1 offset 1 hashtags = %v, want alpacas", got)
	}
	obj = search(aliasTok, url.Values{"q": {"alpaca"}, "type": {"bogus"}})
	if len(obj["accounts"].([]any))+len(obj["hashtags"].([]any))+len(obj["statuses"].([]any)) != 0 {
		t.Errorf("unknown type found %v", obj)
	}

	wantError(t, e.get("/api/v2/search?q=al&offset=1", ""), http.StatusUnauthorized)
	wantError(t, e.get("/api/v2/search?q=al&resolve=true", ""), http.StatusUnauthorized)
	wantError(t, e.get("/api/v2/search?q=al&account_id=x", aliceTok), http.StatusBadRequest)
	wantError(t, e.get("/api/v2/search?q=al&offset=-1", aliceTok), http.StatusBadRequest)
}

// names collects one string field of a JSON list of objects.
func names(list any, field string) []string {
	var out []string
	for _, o := range list.([]any) {
		out = append(out, o.(map[string]any)[field].(string))
	}
	return out
}
