package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// notificationsOf lists a viewer's notifications as "type:status".
func notificationsOf(t *testing.T, e *testEnv, tok string) []string {
	t.Helper()
	var out []string
	for _, n := range decodeList(t, e.get("/api/v1/notifications?limit=40", tok)) {
		st, _ := n["status"].(map[string]any)
		id, _ := st["id"].(string)
		out = append(out, n["type"].(string)+":"+id)
	}
	slices.Sort(out)
	return out
}

func TestConversationMute(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	root := e.post(alice, "a thread", store.VisibilityPublic)
	other := e.post(alice, "another thread", store.VisibilityPublic)
	reply := func(tok, parent, text string) string {
		rec := e.postForm("/api/v1/statuses", tok, url.Values{"status": {text}, "in_reply_to_id": {parent}})
		wantStatus(t, rec, http.StatusOK)
		return decodeObject(t, rec)["id"].(string)
	}
	r1 := reply(bobTok, formatID(root.ID), "@alice first")

	// Muting through a reply mutes the thread; "muted" says so, for alice.
	rec := e.postForm("/api/v1/statuses/"+r1+"/mute", aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["muted"]; got != true {
		t.Fatalf("mute answered muted = %v", got)
	}
	wantStatus(t, e.postForm("/api/v1/statuses/"+r1+"/mute", aliceTok, nil), http.StatusOK) // again: fine
	if got := decodeObject(t, e.get("/api/v1/statuses/"+formatID(root.ID), aliceTok))["muted"]; got != true {
		t.Errorf("the root's muted = %v for alice", got)
	}
	if got := decodeObject(t, e.get("/api/v1/statuses/"+formatID(root.ID), bobTok))["muted"]; got != false {
		t.Errorf("the root's muted = %v for bob", got)
	}
	if got := decodeObject(t, e.get("/api/v1/statuses/"+formatID(other.ID), aliceTok))["muted"]; got != false {
		t.Errorf("another thread's muted = %v", got)
	}

	// Nothing in the thread notifies alice any more: mentions in replies,
	// favourites, reblogs. Outside it, everything still does.
	before := notificationsOf(t, e, aliceTok)
	r2 := reply(bobTok, r1, "@alice second")
	wantStatus(t, e.postForm("/api/v1/statuses/"+formatID(root.ID)+"/favourite", bobTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/statuses/"+formatID(root.ID)+"/reblog", bobTok, nil), http.StatusOK)
	if got := notificationsOf(t, e, aliceTok); !slices.Equal(got, before) {
		t.Errorf("notifications after activity in the muted thread = %v, want unchanged %v", got, before)
	}
	wantStatus(t, e.postForm("/api/v1/statuses/"+formatID(other.ID)+"/favourite", bobTok, nil), http.StatusOK)
	if got := notificationsOf(t, e, aliceTok); !slices.Contains(got, "favourite:"+formatID(other.ID)) {
		t.Errorf("a favourite outside the thread did not notify: %v", got)
	}

	// Unmuting, twice, brings them back for what comes next.
	for range 2 {
		rec := e.postForm("/api/v1/statuses/"+r2+"/unmute", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if got := decodeObject(t, rec)["muted"]; got != false {
			t.Errorf("unmute answered muted = %v", got)
		}
	}
	r3 := reply(bobTok, r2, "@alice third")
	if got := notificationsOf(t, e, aliceTok); !slices.Contains(got, "mention:"+r3) {
		t.Errorf("a mention after unmuting did not notify: %v", got)
	}

	// A status alice may not see cannot be muted, nor one that is not there.
	hidden := e.postForm("/api/v1/statuses", bobTok, url.Values{"status": {"just me"}, "visibility": {"private"}})
	wantStatus(t, hidden, http.StatusOK)
	wantError(t, e.postForm("/api/v1/statuses/"+decodeObject(t, hidden)["id"].(string)+"/mute", aliceTok, nil), http.StatusNotFound)
	wantError(t, e.postForm("/api/v1/statuses/424242/mute", aliceTok, nil), http.StatusNotFound)
}
