package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestAccountNote(t *testing.T) {
	e := newTestEnv(t)
	_, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	target := "/api/v1/accounts/" + formatID(bob.ID) + "/note"

	rec := e.postForm(target, aliceTok, url.Values{"comment": {"met at the café"}})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["note"]; got != "met at the café" {
		t.Errorf("relationship note = %v", got)
	}
	rels := decodeList(t, e.get("/api/v1/accounts/relationships?id[]="+formatID(bob.ID), aliceTok))
	if rels[0]["note"] != "met at the café" {
		t.Errorf("relationships note = %v", rels[0]["note"])
	}
	// The note is alice's alone.
	if got := decodeList(t, e.get("/api/v1/accounts/relationships?id[]="+formatID(bob.ID), bobTok))[0]["note"]; got != "" {
		t.Errorf("bob's own relationship with himself carries note %v", got)
	}
	// Absent or empty clears it.
	rec = e.postForm(target, aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["note"]; got != "" {
		t.Errorf("note after clearing = %v", got)
	}
	// 2,000 characters at most (counted in characters, not bytes).
	wantStatus(t, e.postForm(target, aliceTok, url.Values{"comment": {strings.Repeat("é", 2000)}}), http.StatusOK)
	wantError(t, e.postForm(target, aliceTok, url.Values{"comment": {strings.Repeat("é", 2001)}}), http.StatusUnprocessableEntity)
	wantError(t, e.postForm("/api/v1/accounts/424242/note", aliceTok, url.Values{"comment": {"x"}}), http.StatusNotFound)
}

func TestAccountLists(t *testing.T) {
	e := newTestEnv(t)
	_, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	carol, _ := e.user("carol", "read write follow")
	_, daveTok := e.user("dave", "read write follow")
	for _, tok := range []string{aliceTok, daveTok} {
		for _, who := range []string{formatID(bob.ID), formatID(carol.ID)} {
			wantStatus(t, e.postForm("/api/v1/accounts/"+who+"/follow", tok, nil), http.StatusOK)
		}
	}
	list := func(tok, title string, members ...string) string {
		rec := e.postForm("/api/v1/lists", tok, url.Values{"title": {title}})
		wantStatus(t, rec, http.StatusOK)
		id := decodeObject(t, rec)["id"].(string)
		wantStatus(t, e.postForm("/api/v1/lists/"+id+"/accounts", tok, url.Values{"account_ids[]": members}), http.StatusOK)
		return id
	}
	both := list(aliceTok, "both", formatID(bob.ID), formatID(carol.ID))
	list(aliceTok, "carol only", formatID(carol.ID))
	bobs := list(aliceTok, "bob", formatID(bob.ID))
	list(daveTok, "dave's", formatID(bob.ID))

	rec := e.get("/api/v1/accounts/"+formatID(bob.ID)+"/lists", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	var ids []string
	for _, l := range decodeList(t, rec) {
		ids = append(ids, l["id"].(string))
	}
	if !slices.Equal(ids, []string{both, bobs}) {
		t.Errorf("alice's lists holding bob = %v, want %v", ids, []string{both, bobs})
	}
	if got := decodeList(t, e.get("/api/v1/accounts/"+formatID(bob.ID)+"/lists", bobTok)); len(got) != 0 {
		t.Errorf("bob's lists holding bob = %v", got)
	}
	wantError(t, e.get("/api/v1/accounts/424242/lists", aliceTok), http.StatusNotFound)
}

func TestFamiliarFollowers(t *testing.T) {
	e := newTestEnv(t)
	_, meTok := e.user("me", "read write follow")
	f1, f1Tok := e.user("f1", "read write follow")
	f2, f2Tok := e.user("f2", "read write follow")
	_, strangerTok := e.user("stranger", "read write follow")
	x, _ := e.user("x", "read write follow")
	y, yTok := e.user("y", "read write follow")
	follow := func(tok string, id int64) {
		t.Helper()
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(id)+"/follow", tok, nil), http.StatusOK)
	}
	follow(meTok, f1.ID)
	follow(meTok, f2.ID)
	for _, tok := range []string{f1Tok, f2Tok, strangerTok} {
		follow(tok, x.ID)
	}
	follow(f1Tok, y.ID)
	// y blocks f1, which ends f1's follow of y.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(f1.ID)+"/block", yTok, nil), http.StatusOK)
	follow(f2Tok, y.ID)

	q := "/api/v1/accounts/familiar_followers?id[]=" + formatID(x.ID) + "&id[]=" + formatID(y.ID) + "&id[]=" + formatID(x.ID)
	rec := e.get(q, meTok)
	wantStatus(t, rec, http.StatusOK)
	got := decodeList(t, rec)
	if len(got) != 2 || got[0]["id"] != formatID(x.ID) || got[1]["id"] != formatID(y.ID) {
		t.Fatalf("familiar followers = %v, want x then y, each once", got)
	}
	accounts := func(i int) []string {
		var out []string
		for _, a := range got[i]["accounts"].([]any) {
			out = append(out, a.(map[string]any)["username"].(string))
		}
		return out
	}
	if names := accounts(0); !slices.Equal(names, []string{"f2", "f1"}) {
		t.Errorf("x's familiar followers = %v, want f2, f1 (newest follow first; not the stranger)", names)
	}
	if names := accounts(1); !slices.Equal(names, []string{"f2"}) {
		t.Errorf("y's familiar followers = %v, want f2 (f1's follow went with y's block)", names)
	}
	// me blocks x: nothing across the block.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(x.ID)+"/block", meTok, nil), http.StatusOK)
	got = decodeList(t, e.get("/api/v1/accounts/familiar_followers?id[]="+formatID(x.ID), meTok))
	if len(got[0]["accounts"].([]any)) != 0 {
		t.Errorf("familiar followers of a blocked account = %v", got[0]["accounts"])
	}
	// Bounded: 80 IDs at most; malformed IDs are a 400.
	many := url.Values{}
	for range 81 {
		many.Add("id[]", formatID(x.ID))
	}
	wantError(t, e.get("/api/v1/accounts/familiar_followers?"+many.Encode(), meTok), http.StatusBadRequest)
	wantError(t, e.get("/api/v1/accounts/familiar_followers?id[]=abc", meTok), http.StatusBadRequest)
}
