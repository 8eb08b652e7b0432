package mastodon

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// follow makes a follow b through the service.
func (e *testEnv) follow(a, b *store.Account) {
	e.t.Helper()
	if _, err := e.svc.Follow(context.Background(), a, b.ID, social.FollowOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func TestIdempotencyKeyHeader(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write")
	post := func(key string) string {
		req := strings.NewReader(url.Values{"status": {"once"}}.Encode())
		rec := e.doWith(http.MethodPost, "/api/v1/statuses", tok, "application/x-www-form-urlencoded", req,
			http.Header{"Idempotency-Key": {key}})
		wantStatus(t, rec, http.StatusOK)
		return decodeObject(t, rec)["id"].(string)
	}
	if a, b := post("k1"), post("k1"); a != b {
		t.Errorf("same key gave statuses %s and %s", a, b)
	}
	if a, b := post("k2"), post("k3"); a == b {
		t.Errorf("different keys gave one status %s", a)
	}
}

// doWith is do with extra headers.
func (e *testEnv) doWith(method, target, token, contentType string, body *strings.Reader, h http.Header) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

func TestStatusInteractions(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	_, readOnly := e.user("carol", "read")
	st := e.post(alice, "hello #Starling @bob", store.VisibilityPublic)
	id := formatID(st.ID)

	wantStatus(t, e.postForm("/api/v1/statuses/"+id+"/favourite", readOnly, nil), http.StatusForbidden)
	for _, action := range []string{"favourite", "favourite", "bookmark"} {
		wantStatus(t, e.postForm("/api/v1/statuses/"+id+"/"+action, bobTok, nil), http.StatusOK)
	}
	rec := e.postForm("/api/v1/statuses/"+id+"/reblog", bobTok, nil)
	wantStatus(t, rec, http.StatusOK)
	rb := decodeObject(t, rec)
	orig, ok := rb["reblog"].(map[string]any)
	if !ok || orig["id"] != id || orig["reblogs_count"].(float64) != 1 || orig["favourites_count"].(float64) != 1 {
		t.Fatalf("reblog response: %v", rb)
	}
	if orig["favourited"] != true || orig["reblogged"] != true || orig["bookmarked"] != true {
		t.Errorf("bob's flags on the original: %v %v %v", orig["favourited"], orig["reblogged"], orig["bookmarked"])
	}
	got := decodeObject(t, e.get("/api/v1/statuses/"+id, bobTok))
	tags := got["tags"].([]any)
	mentions := got["mentions"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["name"] != "starling" || len(mentions) != 1 ||
		mentions[0].(map[string]any)["username"] != "bob" {
		t.Errorf("tags %v, mentions %v", tags, mentions)
	}
	wantShape(t, "status", got, statusShape2)

	accts := decodeList(t, e.get("/api/v1/statuses/"+id+"/favourited_by", ""))
	if len(accts) != 1 || accts[0]["username"] != "bob" {
		t.Errorf("favourited_by = %v", accts)
	}
	accts = decodeList(t, e.get("/api/v1/statuses/"+id+"/reblogged_by", ""))
	if len(accts) != 1 || accts[0]["username"] != "bob" {
		t.Errorf("reblogged_by = %v", accts)
	}
	rec = e.get("/api/v1/favourites", bobTok)
	if list := decodeList(t, rec); len(list) != 1 || list[0]["id"] != id || !strings.Contains(rec.Header().Get("Link"), `rel="next"`) {
		t.Errorf("favourites = %v, Link %q", list, rec.Header().Get("Link"))
	}
	if list := decodeList(t, e.get("/api/v1/bookmarks", bobTok)); len(list) != 1 {
		t.Errorf("bookmarks = %v", list)
	}

	// Notifications: mention, favourite, reblog for the right people.
	rec = e.get("/api/v1/notifications", aliceTok)
	ns := decodeList(t, rec)
	if len(ns) != 2 || ns[0]["type"] != "reblog" || ns[1]["type"] != "favourite" || rec.Header().Get("Link") == "" {
		t.Fatalf("alice's notifications = %v", ns)
	}
	nid := ns[1]["id"].(string)
	if n := decodeObject(t, e.get("/api/v1/notifications/"+nid, aliceTok)); n["status"].(map[string]any)["id"] != id {
		t.Errorf("notification %s = %v", nid, n)
	}
	wantStatus(t, e.get("/api/v1/notifications/"+nid, bobTok), http.StatusNotFound)
	if ns := decodeList(t, e.get("/api/v1/notifications?types[]=mention", bobTok)); len(ns) != 1 {
		t.Errorf("bob's mentions = %v", ns)
	}
	if ns := decodeList(t, e.get("/api/v1/notifications?exclude_types[]=reblog", aliceTok)); len(ns) != 1 || ns[0]["type"] != "favourite" {
		t.Errorf("excluding reblogs = %v", ns)
	}
	wantStatus(t, e.postForm("/api/v1/notifications/"+nid+"/dismiss", aliceTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/notifications/clear", aliceTok, nil), http.StatusOK)
	if ns := decodeList(t, e.get("/api/v1/notifications", aliceTok)); len(ns) != 0 {
		t.Errorf("after clear = %v", ns)
	}

	// Undo everything; the counts come back down.
	for _, action := range []string{"unfavourite", "unreblog", "unbookmark"} {
		wantStatus(t, e.postForm("/api/v1/statuses/"+id+"/"+action, bobTok, nil), http.StatusOK)
	}
	got = decodeObject(t, e.get("/api/v1/statuses/"+id, bobTok))
	if got["favourites_count"].(float64) != 0 || got["reblogs_count"].(float64) != 0 || got["favourited"] != false {
		t.Errorf("after undo: %v", got)
	}

	// Delete: someone else's is forbidden; one's own returns the source.
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+id, bobTok, "", nil), http.StatusForbidden)
	rec = e.do(http.MethodDelete, "/api/v1/statuses/"+id, aliceTok, "", nil)
	wantStatus(t, rec, http.StatusOK)
	if del := decodeObject(t, rec); del["text"] != "hello #Starling @bob" {
		t.Errorf("delete response text = %v", del["text"])
	}
	wantStatus(t, e.get("/api/v1/statuses/"+id, aliceTok), http.StatusNotFound)
}

// statusShape2 is statusShape for a status that mentions and tags, seen by
// a logged-in viewer.
var statusShape2 = map[string]string{
	"id": "string", "uri": "string", "url": "string", "created_at": "string", "account": "object",
	"content": "string", "visibility": "string", "sensitive": "boolean", "spoiler_text": "string",
	"media_attachments": "array", "mentions": "array", "tags": "array", "emojis": "array",
	"reblogs_count": "number", "favourites_count": "number", "replies_count": "number",
	"reblog": "null", "favourited": "boolean", "reblogged": "boolean", "bookmarked": "boolean",
}

func TestContextAndTimelines(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	bob, bobTok := e.user("bob", "read write")
	root := e.post(alice, "root #Go", store.VisibilityPublic)
	reply, err := e.svc.PostStatus(context.Background(), bob, social.StatusInput{Text: "reply", InReplyToID: root.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.post(alice, "quiet #go", store.VisibilityUnlisted)
	c := decodeObject(t, e.get("/api/v1/statuses/"+formatID(reply.ID)+"/context", ""))
	if up := c["ancestors"].([]any); len(up) != 1 || up[0].(map[string]any)["id"] != formatID(root.ID) {
		t.Errorf("ancestors = %v", up)
	}
	c = decodeObject(t, e.get("/api/v1/statuses/"+formatID(root.ID)+"/context", tok))
	down := c["descendants"].([]any)
	if len(down) != 1 || down[0].(map[string]any)["in_reply_to_account_id"] != formatID(alice.ID) {
		t.Errorf("descendants = %v", down)
	}

	// Public: the root only (the reply is to someone else, the other unlisted).
	rec := e.get("/api/v1/timelines/public?local=true", "")
	if list := decodeList(t, rec); len(list) != 1 || list[0]["id"] != formatID(root.ID) || rec.Header().Get("Link") == "" {
		t.Errorf("public = %v", list)
	}
	if list := decodeList(t, e.get("/api/v1/timelines/public?remote=true", "")); len(list) != 0 {
		t.Errorf("remote = %v, want empty", list)
	}
	if list := decodeList(t, e.get("/api/v1/timelines/tag/GO", "")); len(list) != 1 {
		t.Errorf("tag GO = %v, want the public one", list)
	}
	if list := decodeList(t, e.get("/api/v1/timelines/tag/go?none[]=go", "")); len(list) != 0 {
		t.Errorf("tag go none go = %v", list)
	}

	// Lists.
	rec = e.postForm("/api/v1/lists", tok, url.Values{"title": {"friends"}})
	wantStatus(t, rec, http.StatusOK)
	lid := decodeObject(t, rec)["id"].(string)
	wantStatus(t, e.postForm("/api/v1/lists/"+lid+"/accounts", tok, url.Values{"account_ids[]": {formatID(bob.ID)}}), http.StatusNotFound)
	e.follow(alice, bob)
	wantStatus(t, e.postForm("/api/v1/lists/"+lid+"/accounts", tok, url.Values{"account_ids[]": {formatID(bob.ID)}}), http.StatusOK)
	if accts := decodeList(t, e.get("/api/v1/lists/"+lid+"/accounts", tok)); len(accts) != 1 {
		t.Errorf("list accounts = %v", accts)
	}
	if list := decodeList(t, e.get("/api/v1/timelines/list/"+lid, tok)); len(list) != 1 || list[0]["id"] != formatID(reply.ID) {
		t.Errorf("list timeline = %v", list)
	}
	wantStatus(t, e.get("/api/v1/lists/"+lid, bobTok), http.StatusNotFound)
	rec = e.do(http.MethodPut, "/api/v1/lists/"+lid, tok, "application/json", strings.NewReader(`{"title":"close","replies_policy":"none"}`))
	wantStatus(t, rec, http.StatusOK)
	if l := decodeObject(t, rec); l["title"] != "close" || l["replies_policy"] != "none" {
		t.Errorf("updated list = %v", l)
	}
	if ls := decodeList(t, e.get("/api/v1/lists", tok)); len(ls) != 2 || ls[0]["id"] != "for_you" {
		t.Errorf("lists = %v", ls)
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/lists/"+lid, tok, "", nil), http.StatusOK)
	wantStatus(t, e.get("/api/v1/timelines/list/"+lid, tok), http.StatusNotFound)
}
