package mastodon

import (
	"net/http"
	"net/url"
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
