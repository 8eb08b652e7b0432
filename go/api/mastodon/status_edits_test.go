package mastodon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func (e *testEnv) putForm(target, token string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodPut, target, token, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// TestEditStatus edits a status through the API on both stores: the new
// version is served with edited_at, the history lists every version, the
// source gives the text back, the booster is notified with `update`, and
// the follower's stream gets status.update.
func TestEditStatus(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		alice, aliceTok := e.user("alice", "read write follow")
		bob, bobTok := e.user("bob", "read write follow")
		_, carolTok := e.user("carol", "read write follow")
		e.follow(bob, alice)
		s := e.post(alice, "first #old", store.VisibilityPublic)
		sid := formatID(s.ID)
		wantStatus(t, e.postForm("/api/v1/statuses/"+sid+"/reblog", bobTok, nil), http.StatusOK)
		// Warm the rendered-status cache: the edit must not be served from it.
		if before := decodeObject(t, e.get("/api/v1/statuses/"+sid, carolTok)); before["edited_at"] != nil {
			t.Fatalf("unedited status has edited_at %v", before["edited_at"])
		}
		stream := e.dial("?stream=user", bobTok)
		stream.barrier()

		rec := e.putForm("/api/v1/statuses/"+sid, aliceTok, url.Values{"status": {"second #new"}, "spoiler_text": {"cw"}, "language": {"fr"}})
		wantStatus(t, rec, http.StatusOK)
		got := decodeObject(t, rec)
		if got["id"] != sid || !strings.Contains(got["content"].(string), "second") || got["spoiler_text"] != "cw" ||
			got["sensitive"] != true || got["language"] != "fr" || got["edited_at"] == nil {
			t.Errorf("edited status = %v", got)
		}
		if tags := got["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["name"] != "new" {
			t.Errorf("tags after edit = %v", tags)
		}
		if m := stream.next(); m["event"] != "status.update" || payloadID(t, m) != sid {
			t.Errorf("stream got %v, want status.update of %s", m, sid)
		}
		if again := decodeObject(t, e.get("/api/v1/statuses/"+sid, carolTok)); again["edited_at"] != got["edited_at"] ||
			again["content"] != got["content"] {
			t.Errorf("GET after edit: edited_at %v content %v, want %v %v", again["edited_at"], again["content"], got["edited_at"], got["content"])
		}

		history := decodeList(t, e.get("/api/v1/statuses/"+sid+"/history", ""))
		if len(history) != 2 || !strings.Contains(history[0]["content"].(string), "first") ||
			!strings.Contains(history[1]["content"].(string), "second") || history[1]["spoiler_text"] != "cw" {
			t.Fatalf("history = %v", history)
		}
		if acct := history[0]["account"].(map[string]any); acct["id"] != formatID(alice.ID) {
			t.Errorf("history account = %v", acct)
		}
		// Full-text search finds the status by its new words only.
		for q, want := range map[string]bool{"second": true, "first": false} {
			res := decodeObject(t, e.get("/api/v2/search?type=statuses&q="+q, carolTok))
			found := false
			for _, st := range res["statuses"].([]any) {
				found = found || st.(map[string]any)["id"] == sid
			}
			if found != want {
				t.Errorf("search %q finds the edited status: %t, want %t", q, found, want)
			}
		}
		src := decodeObject(t, e.get("/api/v1/statuses/"+sid+"/source", aliceTok))
		if src["id"] != sid || src["text"] != "second #new" || src["spoiler_text"] != "cw" {
			t.Errorf("source = %v", src)
		}

		ns := decodeList(t, e.get("/api/v1/notifications?types[]=update", bobTok))
		if len(ns) != 1 || ns[0]["type"] != "update" || ns[0]["status"].(map[string]any)["id"] != sid {
			t.Errorf("booster's update notifications = %v", ns)
		}

		// An unedited status has one version; others' statuses, reblogs
		// and private statuses out of sight are not editable or shown.
		plain := formatID(e.post(alice, "plain", store.VisibilityPublic).ID)
		if h := decodeList(t, e.get("/api/v1/statuses/"+plain+"/history", carolTok)); len(h) != 1 {
			t.Errorf("history of an unedited status = %v", h)
		}
		wantStatus(t, e.putForm("/api/v1/statuses/"+sid, carolTok, url.Values{"status": {"mine now"}}), http.StatusNotFound)
		private := formatID(e.post(alice, "secret", store.VisibilityPrivate).ID)
		wantStatus(t, e.get("/api/v1/statuses/"+private+"/history", carolTok), http.StatusNotFound)
		wantStatus(t, e.get("/api/v1/statuses/"+private+"/source", carolTok), http.StatusNotFound)
		if got := decodeObject(t, e.get("/api/v1/statuses/"+sid, bobTok)); got["edited_at"] == nil {
			t.Error("edited_at missing for the follower")
		}
	})
}

// TestEditStatusBadInput: every malformed edit is refused with a client
// error and changes nothing, on both stores.
func TestEditStatusBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, tok := e.user("alice", "read write follow")
		sid := formatID(e.post(alice, "original", store.VisibilityPublic).ID)
		for _, tc := range []struct {
			name   string
			target string
			form   url.Values
			code   int
		}{
			{"blank", "/api/v1/statuses/" + sid, url.Values{"status": {"  "}}, 422},
			{"oversized", "/api/v1/statuses/" + sid, url.Values{"status": {strings.Repeat("a", 501)}}, 422},
			{"NUL", "/api/v1/statuses/" + sid, url.Values{"status": {"a\x00b"}}, 422},
			{"invalid UTF-8", "/api/v1/statuses/" + sid, url.Values{"status": {"\xff"}}, 422},
			{"bad language", "/api/v1/statuses/" + sid, url.Values{"status": {"x"}, "language": {"not a language"}}, 422},
			{"unknown media", "/api/v1/statuses/" + sid, url.Values{"status": {"x"}, "media_ids[]": {"1"}}, 422},
			{"poll refused", "/api/v1/statuses/" + sid, url.Values{"status": {"x"}, "poll[options][]": {"a"}}, 422},
			{"huge id", "/api/v1/statuses/99999999999999999999999", url.Values{"status": {"x"}}, 404},
			{"missing id", "/api/v1/statuses/123", url.Values{"status": {"x"}}, 404},
			{"sensitive not a bool", "/api/v1/statuses/" + sid, url.Values{"status": {"x"}, "sensitive": {"maybe"}}, 422},
		} {
			if rec := e.putForm(tc.target, tok, tc.form); rec.Code != tc.code {
				t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.code)
			}
		}
		if h := decodeList(t, e.get("/api/v1/statuses/"+sid+"/history", tok)); len(h) != 1 {
			t.Errorf("refused edits left history %v", h)
		}
		wantStatus(t, e.get("/api/v1/statuses/abc/history", tok), http.StatusNotFound)
		wantStatus(t, e.get("/api/v1/statuses/99999999999999999999999/source", tok), http.StatusNotFound)
	})
}

// TestEditLimit: a status takes at most social.MaxStatusVersions versions.
func TestEditLimit(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	sid := formatID(e.post(alice, "v0", store.VisibilityPublic).ID)
	for i := 1; i < 50; i++ {
		wantStatus(t, e.putForm("/api/v1/statuses/"+sid, tok, url.Values{"status": {"version " + formatID(int64(i))}}), http.StatusOK)
	}
	wantStatus(t, e.putForm("/api/v1/statuses/"+sid, tok, url.Values{"status": {"one too many"}}), http.StatusUnprocessableEntity)
	if h := decodeList(t, e.get("/api/v1/statuses/"+sid+"/history", tok)); len(h) != 50 {
		t.Errorf("history has %d versions, want 50", len(h))
	}
}
