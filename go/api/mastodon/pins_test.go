package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestPinEndpoints(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write")
	bob, bobTok := e.user("bob", "read write follow")
	var mine []*store.Status
	for range 6 {
		mine = append(mine, e.post(alice, "pin me", store.VisibilityPublic))
	}
	direct := e.post(alice, "@bob psst", store.VisibilityDirect)
	theirs := e.post(bob, "bob's", store.VisibilityPublic)

	pin := func(st *store.Status, verb string) *http.Response {
		t.Helper()
		return e.postForm("/api/v1/statuses/"+formatID(st.ID)+"/"+verb, aliceTok, nil).Result()
	}
	for i, st := range mine[:5] {
		rec := e.postForm("/api/v1/statuses/"+formatID(st.ID)+"/pin", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if got := decodeObject(t, rec)["pinned"]; got != true {
			t.Errorf("pin %d: pinned = %v, want true", i, got)
		}
	}
	// Pinning again answers with the status, still pinned.
	if got := pin(mine[0], "pin").StatusCode; got != http.StatusOK {
		t.Errorf("pinning twice: %d, want 200", got)
	}
	for _, c := range []struct {
		name string
		st   *store.Status
		code int
	}{
		{"a sixth", mine[5], http.StatusUnprocessableEntity},
		{"a direct status", direct, http.StatusUnprocessableEntity},
		{"someone else's", theirs, http.StatusUnprocessableEntity},
	} {
		rec := e.postForm("/api/v1/statuses/"+formatID(c.st.ID)+"/pin", aliceTok, nil)
		if msg := wantError(t, rec, c.code); msg == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
	wantError(t, e.postForm("/api/v1/statuses/424242/pin", aliceTok, nil), http.StatusNotFound)

	// pinned=true lists the pins, newest pin first; "pinned" is the
	// author's alone to see.
	pinnedIDs := func(tok string) []string {
		t.Helper()
		rec := e.get("/api/v1/accounts/"+formatID(alice.ID)+"/statuses?pinned=true", tok)
		wantStatus(t, rec, http.StatusOK)
		return accountIDsIn(decodeList(t, rec))
	}
	want := []string{formatID(mine[4].ID), formatID(mine[3].ID), formatID(mine[2].ID), formatID(mine[1].ID), formatID(mine[0].ID)}
	if got := pinnedIDs(bobTok); !slices.Equal(got, want) {
		t.Errorf("bob sees pins %v, want %v", got, want)
	}
	if got := pinnedIDs(""); !slices.Equal(got, want) {
		t.Errorf("anonymous sees pins %v, want %v", got, want)
	}
	if _, ok := decodeObject(t, e.get("/api/v1/statuses/"+formatID(mine[0].ID), bobTok))["pinned"]; ok {
		t.Error(`bob's view of alice's status carries "pinned"`)
	}
	if _, ok := decodeObject(t, e.get("/api/v1/statuses/"+formatID(direct.ID), aliceTok))["pinned"]; ok {
		t.Error(`a direct status carries "pinned" (it is not pinnable)`)
	}

	// Unpinning, twice, frees a place for the sixth.
	for range 2 {
		rec := e.postForm("/api/v1/statuses/"+formatID(mine[0].ID)+"/unpin", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if got := decodeObject(t, rec)["pinned"]; got != false {
			t.Errorf("unpinned: pinned = %v, want false", got)
		}
	}
	if got := pin(mine[5], "pin").StatusCode; got != http.StatusOK {
		t.Errorf("pin after unpin: %d, want 200", got)
	}

	// The instance tells clients the limit.
	conf := decodeObject(t, e.get("/api/v2/instance", ""))["configuration"].(map[string]any)
	if got := conf["accounts"].(map[string]any)["max_pinned_statuses"]; got != 5.0 {
		t.Errorf("max_pinned_statuses = %v, want 5", got)
	}
}

// verify_credentials and update_credentials count the pending follow
// requests.
func TestCredentialsFollowRequestsCount(t *testing.T) {
	e := newTestEnv(t)
	_, ownerTok := e.user("owner", "read write follow")
	count := func(body map[string]any) any {
		return body["source"].(map[string]any)["follow_requests_count"]
	}
	rec := e.patchForm("/api/v1/accounts/update_credentials", ownerTok, url.Values{"locked": {"true"}})
	wantStatus(t, rec, http.StatusOK)
	body := decodeObject(t, rec)
	ownerID := body["id"].(string)
	if got := count(body); got != 0.0 {
		t.Errorf("no requests yet: %v", got)
	}
	for _, name := range []string{"a", "b"} {
		_, tok := e.user(name, "read write follow")
		wantStatus(t, e.postForm("/api/v1/accounts/"+ownerID+"/follow", tok, nil), http.StatusOK)
	}
	rec = e.get("/api/v1/accounts/verify_credentials", ownerTok)
	wantStatus(t, rec, http.StatusOK)
	if got := count(decodeObject(t, rec)); got != 2.0 {
		t.Errorf("verify_credentials follow_requests_count = %v, want 2", got)
	}
	rec = e.patchForm("/api/v1/accounts/update_credentials", ownerTok, url.Values{"display_name": {"Owner"}})
	wantStatus(t, rec, http.StatusOK)
	if got := count(decodeObject(t, rec)); got != 2.0 {
		t.Errorf("update_credentials follow_requests_count = %v, want 2", got)
	}
}
