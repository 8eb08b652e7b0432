package mastodon

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// statusShape is the Mastodon Status entity's required fields.
var statusShape = map[string]string{
	"id": "string", "uri": "string", "url": "string", "created_at": "string", "account": "object",
	"content": "string", "visibility": "string", "sensitive": "boolean", "spoiler_text": "string",
	"media_attachments": "array", "mentions": "array", "tags": "array", "emojis": "array",
	"reblogs_count": "number", "favourites_count": "number", "replies_count": "number",
	"in_reply_to_id": "null", "in_reply_to_account_id": "null", "reblog": "null",
	"poll": "null", "card": "null", "edited_at": "null",
}

func TestCreateStatus(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	mp, mpType := multipartBody(t, [][2]string{{"status", "multi <b>part</b>"}, {"visibility", "unlisted"}, {"sensitive", "1"}})
	tests := []struct {
		name        string
		contentType string
		body        string
		content     string
		visibility  string
		sensitive   bool
		spoiler     string
		language    any
	}{
		{
			name: "form", contentType: "application/x-www-form-urlencoded",
			body:    url.Values{"status": {"hello <world> https://example.com/x"}, "language": {"en"}}.Encode(),
			content: `<p>hello &lt;world&gt; <a href="https://example.com/x"`, visibility: "public", language: "en",
		},
		{
			name: "JSON", contentType: "application/json",
			body:    `{"status":"one\n\ntwo","visibility":"private","spoiler_text":"cw"}`,
			content: "<p>one</p><p>two</p>", visibility: "private", sensitive: true, spoiler: "cw",
		},
		{
			name: "multipart", contentType: mpType, body: mp,
			content: "<p>multi &lt;b&gt;part&lt;/b&gt;</p>", visibility: "unlisted", sensitive: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/api/v1/statuses", tok, tt.contentType, strings.NewReader(tt.body))
			wantStatus(t, rec, http.StatusOK)
			st := decodeObject(t, rec)
			wantShape(t, "Status", st, statusShape)
			if s, _ := st["created_at"].(string); !mastodonTime.MatchString(s) {
				t.Errorf("created_at %q, want the form 2006-01-02T15:04:05.000Z", s)
			}
			if c, _ := st["content"].(string); !strings.HasPrefix(c, tt.content) {
				t.Errorf("content = %q, want prefix %q", c, tt.content)
			}
			if st["visibility"] != tt.visibility || st["sensitive"] != tt.sensitive || st["spoiler_text"] != tt.spoiler {
				t.Errorf("visibility/sensitive/spoiler = %v/%v/%v, want %v/%v/%v", st["visibility"], st["sensitive"],
					st["spoiler_text"], tt.visibility, tt.sensitive, tt.spoiler)
			}
			if st["language"] != tt.language {
				t.Errorf("language = %v, want %v", st["language"], tt.language)
			}
			id := st["id"].(string)
			if st["url"] != testBaseURL+"/@alice/"+id || st["uri"] != testBaseURL+"/users/alice/statuses/"+id {
				t.Errorf("url %v, uri %v", st["url"], st["uri"])
			}
			// The author sees their own interaction state.
			for _, k := range []string{"favourited", "reblogged", "muted", "bookmarked", "pinned"} {
				if st[k] != false {
					t.Errorf("%s = %v, want false for the author", k, st[k])
				}
			}
			wantAccount(t, st["account"].(map[string]any), alice)
		})
	}
}

func TestCreateStatusReply(t *testing.T) {
	e := newTestEnv(t)
	bob, _ := e.user("bob", "read")
	_, tok := e.user("alice", "read write")
	parent := e.post(bob, "parent", store.VisibilityPublic)
	rec := e.postForm("/api/v1/statuses", tok, url.Values{"status": {"reply"}, "in_reply_to_id": {formatID(parent.ID)}})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["in_reply_to_id"]; got != formatID(parent.ID) {
		t.Fatalf("in_reply_to_id = %v, want %q", got, formatID(parent.ID))
	}
}

func TestCreateStatusErrors(t *testing.T) {
	e := newTestEnv(t)
	bob, _ := e.user("bob", "read")
	_, tok := e.user("alice", "read write")
	hidden := e.post(bob, "hidden", store.VisibilityDirect)
	tests := []struct {
		name string
		form url.Values
		code int
	}{
		{"blank", url.Values{"status": {"  "}}, http.StatusUnprocessableEntity},
		{"too long", url.Values{"status": {strings.Repeat("a", 501)}}, http.StatusUnprocessableEntity},
		{"bad visibility", url.Values{"status": {"hi"}, "visibility": {"friends"}}, http.StatusUnprocessableEntity},
		{"bad sensitive", url.Values{"status": {"hi"}, "sensitive": {"perhaps"}}, http.StatusUnprocessableEntity},
		{"malformed reply id", url.Values{"status": {"hi"}, "in_reply_to_id": {"abc"}}, http.StatusBadRequest},
		{"unknown reply target", url.Values{"status": {"hi"}, "in_reply_to_id": {"42"}}, http.StatusNotFound},
		{"invisible reply target", url.Values{"status": {"hi"}, "in_reply_to_id": {formatID(hidden.ID)}}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postForm("/api/v1/statuses", tok, tt.form), tt.code)
		})
	}
	wantError(t, e.do(http.MethodPost, "/api/v1/statuses", tok, "application/json", strings.NewReader(`{"status":`)), http.StatusBadRequest)
	wantError(t, e.postJSON("/api/v1/statuses", tok, map[string]any{"status": map[string]any{"a": 1}}), http.StatusBadRequest)
}

// TestGetStatusVisibility checks who may read each visibility. A status the
// viewer may not see is a 404, indistinguishable from one that does not exist.
func TestGetStatusVisibility(t *testing.T) {
	e := newTestEnv(t)
	author, authorTok := e.user("author", "read write")
	_, strangerTok := e.user("stranger", "read")
	_, followerTok := e.user("follower", "read follow")
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(author.ID)+"/follow", followerTok, nil), http.StatusOK)

	byVis := map[store.Visibility]string{}
	for _, v := range []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect} {
		byVis[v] = formatID(e.post(author, string(v)+" status", v).ID)
	}
	tests := []struct {
		viewer string
		token  string
		vis    store.Visibility
		ok     bool
	}{
		{"anonymous", "", store.VisibilityPublic, true},
		{"anonymous", "", store.VisibilityUnlisted, true},
		{"anonymous", "", store.VisibilityPrivate, false},
		{"anonymous", "", store.VisibilityDirect, false},
		{"stranger", strangerTok, store.VisibilityPublic, true},
		{"stranger", strangerTok, store.VisibilityPrivate, false},
		{"stranger", strangerTok, store.VisibilityDirect, false},
		{"follower", followerTok, store.VisibilityPrivate, true},
		{"follower", followerTok, store.VisibilityDirect, false},
		{"author", authorTok, store.VisibilityPrivate, true},
		{"author", authorTok, store.VisibilityDirect, true},
	}
	for _, tt := range tests {
		t.Run(tt.viewer+"/"+string(tt.vis), func(t *testing.T) {
			rec := e.get("/api/v1/statuses/"+byVis[tt.vis], tt.token)
			if !tt.ok {
				if msg := wantError(t, rec, http.StatusNotFound); msg != "Record not found" {
					t.Errorf("error %q leaks more than not-found", msg)
				}
				return
			}
			wantStatus(t, rec, http.StatusOK)
			st := decodeObject(t, rec)
			wantShape(t, "Status", st, statusShape)
			if st["id"] != byVis[tt.vis] || st["visibility"] != string(tt.vis) {
				t.Errorf("got status %v (%v)", st["id"], st["visibility"])
			}
			// Anonymous viewers get no interaction state at all.
			if _, ok := st["favourited"]; ok == (tt.token == "") {
				t.Errorf("favourited present = %v for token %q", ok, tt.token)
			}
		})
	}
	for _, id := range []string{"42", "abc", "-1"} {
		wantError(t, e.get("/api/v1/statuses/"+id, ""), http.StatusNotFound)
	}
}
