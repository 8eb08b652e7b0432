package mastodon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func (e *testEnv) patchForm(target, token string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodPatch, target, token, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// wantRelationship checks the entity shape and the listed flags (others
// must be false).
func wantRelationship(t *testing.T, obj map[string]any, target *store.Account, flags ...string) {
	t.Helper()
	wantShape(t, "Relationship", obj, relationshipShape)
	if obj["id"] != formatID(target.ID) {
		t.Errorf("relationship id = %v, want %d", obj["id"], target.ID)
	}
	set := map[string]bool{}
	for _, f := range flags {
		set[f] = true
	}
	for _, f := range []string{"following", "followed_by", "blocking", "blocked_by", "muting",
		"muting_notifications", "requested", "requested_by"} {
		if obj[f] != set[f] {
			t.Errorf("relationship %s = %v, want %v", f, obj[f], set[f])
		}
	}
}

func accountIDsIn(list []map[string]any) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i], _ = a["id"].(string)
	}
	return out
}

func TestBlockMuteEndpoints(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	carol, _ := e.user("carol", "read")

	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/follow", aliceTok, nil), http.StatusOK)
	rec := e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/block", aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), bob, "blocking")

	// Blocked either way: following is 403 with Mastodon's message.
	msg := wantError(t, e.postForm("/api/v1/accounts/"+formatID(alice.ID)+"/follow", bobTok, nil), http.StatusForbidden)
	if msg != "This action is not allowed" {
		t.Errorf("follow across a block: %q", msg)
	}
	st := e.post(bob, "hidden from alice", store.VisibilityPublic)
	wantError(t, e.get("/api/v1/statuses/"+formatID(st.ID), aliceTok), http.StatusNotFound)
	rec = e.get("/api/v1/accounts/"+formatID(bob.ID)+"/statuses", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if l := decodeList(t, rec); len(l) != 0 {
		t.Errorf("bob's statuses seen by alice across a block: %d", len(l))
	}

	rec = e.get("/api/v1/blocks", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	list := decodeList(t, rec)
	if len(list) != 1 {
		t.Fatalf("blocks = %v", list)
	}
	wantAccount(t, list[0], bob)
	if link := rec.Header().Get("Link"); !strings.Contains(link, `rel="next"`) || !strings.HasPrefix(link, "<"+testBaseURL+"/api/v1/blocks?") {
		t.Errorf("blocks Link = %q", link)
	}

	rec = e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/unblock", aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), bob)

	// Mute with JSON parameters, as masto.js sends them.
	rec = e.postJSON("/api/v1/accounts/"+formatID(carol.ID)+"/mute", aliceTok, map[string]any{"notifications": false, "duration": 3600})
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), carol, "muting")
	rec = e.get("/api/v1/mutes", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if ids := accountIDsIn(decodeList(t, rec)); len(ids) != 1 || ids[0] != formatID(carol.ID) {
		t.Errorf("mutes = %v", ids)
	}
	wantError(t, e.postJSON("/api/v1/accounts/"+formatID(carol.ID)+"/mute", aliceTok, map[string]any{"duration": -5}),
		http.StatusUnprocessableEntity)
	rec = e.postForm("/api/v1/accounts/"+formatID(carol.ID)+"/unmute", aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), carol)

	// Unknown and malformed IDs are 404; the wrong scope is 403; no token 401.
	wantError(t, e.postForm("/api/v1/accounts/123456789/block", aliceTok, nil), http.StatusNotFound)
	wantError(t, e.postForm("/api/v1/accounts/abc/mute", aliceTok, nil), http.StatusNotFound)
	_, readOnly := e.user("dave", "read")
	wantError(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/block", readOnly, nil), http.StatusForbidden)
	wantError(t, e.get("/api/v1/blocks", ""), http.StatusUnauthorized)
	_, blocksOnly := e.user("erin", "read:blocks")
	wantStatus(t, e.get("/api/v1/blocks", blocksOnly), http.StatusOK)
	wantError(t, e.get("/api/v1/mutes", blocksOnly), http.StatusForbidden)
}

func TestRelationshipsEndpoint(t *testing.T) {
	e := newTestEnv(t)
	_, aliceTok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read")
	carol, _ := e.user("carol", "read")
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/follow", aliceTok, nil), http.StatusOK)

	// "relationships" is a static segment: chi must not route it to {id}.
	q := url.Values{"id[]": {formatID(bob.ID), formatID(carol.ID), formatID(bob.ID)}}
	rec := e.get("/api/v1/accounts/relationships?"+q.Encode(), aliceTok)
	wantStatus(t, rec, http.StatusOK)
	list := decodeList(t, rec)
	if len(list) != 2 {
		t.Fatalf("relationships = %v, want two (duplicates answered once)", list)
	}
	wantRelationship(t, list[0], bob, "following")
	wantRelationship(t, list[1], carol)
	// A single id= works too.
	rec = e.get("/api/v1/accounts/relationships?id="+formatID(carol.ID), aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if l := decodeList(t, rec); len(l) != 1 {
		t.Errorf("single id: %v", l)
	}
	wantError(t, e.get("/api/v1/accounts/relationships?id[]=x", aliceTok), http.StatusBadRequest)
	rec = e.get("/api/v1/accounts/relationships", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("no ids: %s, want []", rec.Body)
	}
}

func TestFollowRequestEndpoints(t *testing.T) {
	e := newTestEnv(t)
	owner, ownerTok := e.user("owner", "read write follow")
	alice, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")

	rec := e.do(http.MethodPatch, "/api/v1/accounts/update_credentials", ownerTok, "application/x-www-form-urlencoded",
		strings.NewReader("locked=true"))
	wantStatus(t, rec, http.StatusOK)
	if decodeObject(t, rec)["locked"] != true {
		t.Fatal("update_credentials did not lock the account")
	}
	for _, tok := range []string{aliceTok, bobTok} {
		rec = e.postForm("/api/v1/accounts/"+formatID(owner.ID)+"/follow", tok, nil)
		wantStatus(t, rec, http.StatusOK)
		if obj := decodeObject(t, rec); obj["requested"] != true || obj["following"] != false {
			t.Fatalf("follow of a locked account: %v", obj)
		}
	}
	rec = e.get("/api/v1/follow_requests?limit=1", ownerTok)
	wantStatus(t, rec, http.StatusOK)
	if ids := accountIDsIn(decodeList(t, rec)); len(ids) != 1 || ids[0] != formatID(bob.ID) {
		t.Errorf("first page of requests = %v, want bob (newest)", ids)
	}
	next := linkURL(t, rec.Header().Get("Link"), "next")
	rec = e.get(next, ownerTok)
	wantStatus(t, rec, http.StatusOK)
	if ids := accountIDsIn(decodeList(t, rec)); len(ids) != 1 || ids[0] != formatID(alice.ID) {
		t.Errorf("second page of requests = %v, want alice", ids)
	}

	rec = e.postForm("/api/v1/follow_requests/"+formatID(alice.ID)+"/authorize", ownerTok, nil)
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), alice, "followed_by")
	rec = e.postForm("/api/v1/follow_requests/"+formatID(bob.ID)+"/reject", ownerTok, nil)
	wantStatus(t, rec, http.StatusOK)
	wantRelationship(t, decodeObject(t, rec), bob)
	wantError(t, e.postForm("/api/v1/follow_requests/"+formatID(bob.ID)+"/authorize", ownerTok, nil), http.StatusNotFound)

	rec = e.get("/api/v1/accounts/"+formatID(owner.ID), "")
	wantStatus(t, rec, http.StatusOK)
	if n := decodeObject(t, rec)["followers_count"]; n != float64(1) {
		t.Errorf("followers_count = %v, want 1", n)
	}
}

// linkURL extracts the rel target of a Link header as a path the test
// router serves.
func linkURL(t *testing.T, link, rel string) string {
	t.Helper()
	for _, part := range strings.Split(link, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="`+rel+`"`) {
			return strings.TrimPrefix(strings.Trim(u, "<>"), testBaseURL)
		}
	}
	t.Fatalf("Link %q has no rel=%q", link, rel)
	return ""
}

func TestFollowersFollowingPaging(t *testing.T) {
	e := newTestEnv(t)
	star, _ := e.user("star", "read")
	var tokens []string
	for _, name := range []string{"f1", "f2", "f3"} {
		_, tok := e.user(name, "follow")
		tokens = append(tokens, tok)
	}
	for _, tok := range tokens {
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(star.ID)+"/follow", tok, nil), http.StatusOK)
	}
	rec := e.get("/api/v1/accounts/"+formatID(star.ID)+"/followers?limit=2", "")
	wantStatus(t, rec, http.StatusOK)
	first := decodeList(t, rec)
	if len(first) != 2 || first[0]["username"] != "f3" || first[1]["username"] != "f2" {
		t.Fatalf("followers page 1 = %v", accountIDsIn(first))
	}
	rec = e.get(linkURL(t, rec.Header().Get("Link"), "next"), "")
	wantStatus(t, rec, http.StatusOK)
	second := decodeList(t, rec)
	if len(second) != 1 || second[0]["username"] != "f1" {
		t.Errorf("followers page 2 = %v", second)
	}
	rec = e.get("/api/v1/accounts/"+formatID(star.ID)+"/following", "")
	wantStatus(t, rec, http.StatusOK)
	if l := decodeList(t, rec); len(l) != 0 || rec.Header().Get("Link") != "" {
		t.Errorf("following of star = %v, Link %q", l, rec.Header().Get("Link"))
	}
	wantError(t, e.get("/api/v1/accounts/999999/followers", ""), http.StatusNotFound)
	wantError(t, e.get("/api/v1/accounts/"+formatID(star.ID)+"/followers?max_id=zz", ""), http.StatusBadRequest)
}

// A follow with reblogs=false keeps the followee's reblogs out of home;
// a followee's direct status that mentions the viewer comes in.
func TestHomeFollowOptions(t *testing.T) {
	e := newTestEnv(t)
	booster, _ := e.user("booster", "read write")
	author, _ := e.user("author", "read write")
	_, meTok := e.user("me", "read write follow")
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(booster.ID)+"/follow", meTok, url.Values{"reblogs": {"false"}}), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(author.ID)+"/follow", meTok, nil), http.StatusOK)
	// By an account me does not follow: a boost of one of author's would
	// repeat a status of me's home and be left out (feed/reblogs.go).
	other, _ := e.user("other", "read write")
	orig := e.post(other, "boost me", store.VisibilityPublic)
	boost, err := e.svc.Reblog(t.Context(), booster, orig.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	own := e.post(booster, "booster's own", store.VisibilityPublic)
	toMe := e.post(author, "@me psst", store.VisibilityDirect)
	home := func() []string {
		t.Helper()
		rec := e.get("/api/v1/timelines/home", meTok)
		wantStatus(t, rec, http.StatusOK)
		return accountIDsIn(decodeList(t, rec))
	}
	want := []string{formatID(toMe.ID), formatID(own.ID)}
	if got := home(); !slices.Equal(got, want) {
		t.Errorf("home = %v, want %v (no reblog %d)", got, want, boost.ID)
	}
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(booster.ID)+"/follow", meTok, url.Values{"reblogs": {"true"}}), http.StatusOK)
	want = []string{formatID(toMe.ID), formatID(own.ID), formatID(boost.ID)}
	if got := home(); !slices.Equal(got, want) {
		t.Errorf("home with reblogs = %v, want %v", got, want)
	}
}
