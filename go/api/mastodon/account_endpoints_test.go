package mastodon

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestUpdateCredentials(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	patchJSON := func(v string) *httptest.ResponseRecorder {
		return e.do(http.MethodPatch, "/api/v1/accounts/update_credentials", tok, "application/json", strings.NewReader(v))
	}
	rec := patchJSON(`{"display_name": "Alice ✨", "note": "Hi <b>there</b>\nline two", "bot": true, "discoverable": false}`)
	wantStatus(t, rec, http.StatusOK)
	obj := decodeObject(t, rec)
	wantAccount(t, obj, alice)
	if obj["display_name"] != "Alice ✨" || obj["bot"] != true || obj["discoverable"] != false {
		t.Errorf("updated account = %v", obj)
	}
	// The note is shown as safe HTML; its source keeps the text.
	if obj["note"] != "<p>Hi &lt;b&gt;there&lt;/b&gt;<br />line two</p>" {
		t.Errorf("note = %q", obj["note"])
	}
	if src, _ := obj["source"].(map[string]any); src["note"] != "Hi <b>there</b>\nline two" {
		t.Errorf("source.note = %v", obj["source"])
	}

	// Multipart, as apps send it; empty profile-field rows ask for nothing.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("display_name", "Multi")
	_ = mw.WriteField("fields_attributes[0][name]", "")
	_ = mw.WriteField("fields_attributes[0][value]", "")
	_ = mw.Close()
	rec = e.do(http.MethodPatch, "/api/v1/accounts/update_credentials", tok, mw.FormDataContentType(), &body)
	wantStatus(t, rec, http.StatusOK)
	if obj := decodeObject(t, rec); obj["display_name"] != "Multi" || obj["bot"] != true {
		t.Errorf("after multipart: %v", obj)
	}

	for _, bad := range []string{
		`{"display_name": "` + strings.Repeat("x", 31) + `"}`,
		`{"note": "` + strings.Repeat("x", 501) + `"}`,
		`{"locked": "maybe"}`,
	} {
		wantError(t, patchJSON(bad), http.StatusUnprocessableEntity)
	}
	rec = e.get("/api/v1/accounts/verify_credentials", tok)
	if obj := decodeObject(t, rec); obj["display_name"] != "Multi" {
		t.Errorf("a rejected update changed the account: %v", obj["display_name"])
	}
	_, readTok := e.user("bob", "read")
	wantError(t, e.do(http.MethodPatch, "/api/v1/accounts/update_credentials", readTok, "application/json",
		strings.NewReader(`{"note": "x"}`)), http.StatusForbidden)
}

func TestLookupAccount(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	for _, acct := range []string{"alice", "@alice", "ALICE", "alice@starling.test", "@alice@STARLING.test"} {
		rec := e.get("/api/v1/accounts/lookup?acct="+url.QueryEscape(acct), "")
		wantStatus(t, rec, http.StatusOK)
		wantAccount(t, decodeObject(t, rec), alice)
	}
	for _, acct := range []string{"nobody", "alice@elsewhere.example", ""} {
		wantError(t, e.get("/api/v1/accounts/lookup?acct="+url.QueryEscape(acct), ""), http.StatusNotFound)
	}
}

func TestSearchAccountsEndpoint(t *testing.T) {
	e := newTestEnv(t)
	me, tok := e.user("me", "read write follow")
	e.user("al", "read")
	alice, _ := e.user("alice", "read")
	_, albertTok := e.user("albert", "read write follow")
	bob, _ := e.user("bob", "read")
	ctx := t.Context()
	name := "Alfie"
	if _, err := e.svc.UpdateCredentials(ctx, bob, social.CredentialsInput{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	names := func(rec *httptest.ResponseRecorder) []string { return usernames(t, rec) }
	got := names(e.get("/api/v1/accounts/search?q=AL", tok))
	if strings.Join(got, ",") != "al,alice,albert,bob" {
		t.Errorf("search AL = %v, want exact, then username prefixes (by followers, then age), then display names", got)
	}
	if got := names(e.get("/api/v1/accounts/search?q=%40al&limit=2&offset=1", tok)); strings.Join(got, ",") != "alice,albert" {
		t.Errorf("limit/offset = %v", got)
	}
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(alice.ID)+"/follow", tok, nil), http.StatusOK)
	if got := names(e.get("/api/v1/accounts/search?q=al&following=true", tok)); strings.Join(got, ",") != "alice" {
		t.Errorf("following=true = %v", got)
	}
	// A block either way hides the account from search.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(me.ID)+"/block", albertTok, nil), http.StatusOK)
	if got := names(e.get("/api/v1/accounts/search?q=al", tok)); strings.Join(got, ",") != "al,alice,bob" {
		t.Errorf("search with albert blocking me = %v", got)
	}
	if got := names(e.get("/api/v1/accounts/search?q=", tok)); len(got) != 0 {
		t.Errorf("blank query = %v", got)
	}
	wantError(t, e.get("/api/v1/accounts/search?q=al&limit=x", tok), http.StatusBadRequest)
	wantError(t, e.get("/api/v1/accounts/search?q=al&offset=-1", tok), http.StatusBadRequest)
	wantError(t, e.get("/api/v1/accounts/search?q=al", ""), http.StatusUnauthorized)

}

func TestAccountStatusesEndpoint(t *testing.T) {
	e := newTestEnv(t)
	bob, bobTok := e.user("bob", "read write follow")
	alice, aliceTok := e.user("alice", "read write follow")
	public := e.post(bob, "public", store.VisibilityPublic)
	private := e.post(bob, "followers only", store.VisibilityPrivate)
	other := e.post(alice, "alice's", store.VisibilityPublic)
	reply, err := e.svc.PostStatus(t.Context(), bob, social.StatusInput{Text: "reply to alice", InReplyToID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	thread, err := e.svc.PostStatus(t.Context(), bob, social.StatusInput{Text: "my thread", InReplyToID: public.ID})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(rec *httptest.ResponseRecorder) []string {
		t.Helper()
		wantStatus(t, rec, http.StatusOK)
		return accountIDsIn(decodeList(t, rec)) // status IDs: same "id" field
	}
	path := "/api/v1/accounts/" + formatID(bob.ID) + "/statuses"
	want := func(sts ...*store.Status) string {
		var out []string
		for _, st := range sts {
			out = append(out, formatID(st.ID))
		}
		return strings.Join(out, ",")
	}
	if got := strings.Join(ids(e.get(path, "")), ","); got != want(thread, reply, public) {
		t.Errorf("anonymous = %s, want %s", got, want(thread, reply, public))
	}
	if got := strings.Join(ids(e.get(path, bobTok)), ","); got != want(thread, reply, private, public) {
		t.Errorf("author = %s", got)
	}
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/follow", aliceTok, nil), http.StatusOK)
	if got := strings.Join(ids(e.get(path+"?exclude_replies=true", aliceTok)), ","); got != want(thread, private, public) {
		t.Errorf("follower, exclude_replies = %s, want %s (threads stay)", got, want(thread, private, public))
	}
	// Paging: limit 2, then the Link header's next page.
	rec := e.get(path+"?limit=2", aliceTok)
	if got := strings.Join(ids(rec), ","); got != want(thread, reply) {
		t.Errorf("page 1 = %s", got)
	}
	if got := strings.Join(ids(e.get(linkURL(t, rec.Header().Get("Link"), "next"), aliceTok)), ","); got != want(private, public) {
		t.Errorf("page 2 = %s", got)
	}
	// A mute does not hide the profile.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/mute", aliceTok, nil), http.StatusOK)
	if got := ids(e.get(path, aliceTok)); len(got) != 4 {
		t.Errorf("muted profile shows %d statuses, want 4", len(got))
	}
	for _, q := range []string{"only_media=true", "pinned=true"} {
		if got := ids(e.get(path+"?"+q, aliceTok)); len(got) != 0 {
			t.Errorf("%s = %v, want none (no media or pins yet)", q, got)
		}
	}
	// tagged and exclude_reblogs.
	tagged := e.post(bob, "about #Golang", store.VisibilityPublic)
	reblog, err := e.svc.Reblog(t.Context(), bob, other.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ query, want string }{
		{"tagged=golang", want(tagged)},
		{"tagged=%23GoLang", want(tagged)},
		{"tagged=rust", ""},
	} {
		if got := strings.Join(ids(e.get(path+"?"+c.query, "")), ","); got != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
	if got := ids(e.get(path+"?limit=1", "")); len(got) != 1 || got[0] != formatID(reblog.ID) {
		t.Errorf("newest = %v, want the reblog %d", got, reblog.ID)
	}
	if got := ids(e.get(path+"?limit=1&exclude_reblogs=true", "")); len(got) != 1 || got[0] != formatID(tagged.ID) {
		t.Errorf("newest without reblogs = %v, want %d", got, tagged.ID)
	}
	wantError(t, e.get("/api/v1/accounts/999999/statuses", ""), http.StatusNotFound)
	wantError(t, e.get(path+"?min_id=nope", ""), http.StatusBadRequest)
}

func TestSuggestionsEndpoints(t *testing.T) {
	e := newTestEnv(t)
	me, tok := e.user("me", "read write follow")
	friend, friendTok := e.user("friend", "read write follow")
	fof, _ := e.user("fof", "read")
	popular, _ := e.user("popular", "read")
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(friend.ID)+"/follow", tok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(fof.ID)+"/follow", friendTok, nil), http.StatusOK)
	for _, name := range []string{"x1", "x2"} {
		_, xt := e.user(name, "follow")
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(popular.ID)+"/follow", xt, nil), http.StatusOK)
	}
	rec := e.get("/api/v2/suggestions?limit=2", tok)
	wantStatus(t, rec, http.StatusOK)
	list := decodeList(t, rec)
	if len(list) != 2 {
		t.Fatalf("suggestions = %v", list)
	}
	wantShape(t, "Suggestion", list[0], map[string]string{"source": "string", "sources": "array", "account": "object"})
	wantAccount(t, list[0]["account"].(map[string]any), fof)
	if list[0]["source"] != "past_interactions" || list[0]["sources"].([]any)[0] != "friends_of_friends" {
		t.Errorf("first suggestion's sources: %v / %v", list[0]["source"], list[0]["sources"])
	}
	wantAccount(t, list[1]["account"].(map[string]any), popular)
	if list[1]["source"] != "global" || list[1]["sources"].([]any)[0] != "most_followed" {
		t.Errorf("second suggestion's sources: %v / %v", list[1]["source"], list[1]["sources"])
	}

	rec = e.do(http.MethodDelete, "/api/v1/suggestions/"+formatID(fof.ID), tok, "", nil)
	wantStatus(t, rec, http.StatusOK)
	if strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Errorf("dismiss body = %s", rec.Body)
	}
	rec = e.get("/api/v2/suggestions", tok)
	wantStatus(t, rec, http.StatusOK)
	for _, s := range decodeList(t, rec) {
		id := s["account"].(map[string]any)["id"]
		if id == formatID(fof.ID) || id == formatID(me.ID) || id == formatID(friend.ID) {
			t.Errorf("suggested %v after dismissal / self / followed", id)
		}
	}
	wantError(t, e.do(http.MethodDelete, "/api/v1/suggestions/424242", tok, "", nil), http.StatusNotFound)
	wantError(t, e.get("/api/v2/suggestions", ""), http.StatusUnauthorized)
}
