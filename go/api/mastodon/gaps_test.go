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

// TestRemoveFromFollowers: the follower stops following, both sides see it,
// the counts follow, and bad IDs are 404s; on both stores.
func TestRemoveFromFollowers(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, aliceTok := e.user("alice", "read write follow")
		bob, bobTok := e.user("bob", "read write follow")
		e.follow(bob, alice)
		rec := e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/remove_from_followers", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if rel := decodeObject(t, rec); rel["id"] != formatID(bob.ID) || rel["followed_by"] != false {
			t.Errorf("alice's relationship to bob = %v", rel)
		}
		rels := decodeList(t, e.get("/api/v1/accounts/relationships?id[]="+formatID(alice.ID), bobTok))
		if len(rels) != 1 || rels[0]["following"] != false {
			t.Errorf("bob still follows alice: %v", rels)
		}
		if a := decodeObject(t, e.get("/api/v1/accounts/"+formatID(alice.ID), aliceTok)); a["followers_count"] != 0.0 {
			t.Errorf("alice's followers_count = %v", a["followers_count"])
		}
		// Again: no follower, no error.
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/remove_from_followers", aliceTok, nil), http.StatusOK)
		for _, id := range []string{"123", "99999999999999999999999", "abc", "1%00"} {
			wantStatus(t, e.postForm("/api/v1/accounts/"+id+"/remove_from_followers", aliceTok, nil), http.StatusNotFound)
		}
		_, readOnly := e.user("carol", "read")
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/remove_from_followers", readOnly, nil), http.StatusForbidden)
	})
}

// TestHonestlyEmpty: the instance's domain blocks (no federation) and the
// profile images (no uploads): each answers what is true, checks its input
// and its scope.
func TestHonestlyEmpty(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write")
	_, readOnly := e.user("bob", "read")
	if got := e.get("/api/v1/instance/domain_blocks", ""); got.Code != http.StatusOK || strings.TrimSpace(got.Body.String()) != "[]" {
		t.Errorf("instance domain_blocks = %d %s", got.Code, got.Body)
	}
	for _, path := range []string{"/api/v1/profile/avatar", "/api/v1/profile/header"} {
		rec := e.do(http.MethodDelete, path, tok, "", nil)
		wantStatus(t, rec, http.StatusOK)
		if a := decodeObject(t, rec); a["username"] != "alice" || !strings.HasSuffix(a["avatar"].(string), missingAvatar) || a["source"] == nil {
			t.Errorf("DELETE %s = %v, want alice's credential account with the default images", path, a)
		}
		wantStatus(t, e.do(http.MethodDelete, path, readOnly, "", nil), http.StatusForbidden)
	}
}

// TestDirectory: discoverable accounts, by activity or creation, without
// those the viewer blocks; bad parameters refused; on both stores.
func TestDirectory(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, aliceTok := e.user("alice", "read write follow")
		bob, _ := e.user("bob", "read write")
		_, carolTok := e.user("carol", "read write")
		wantStatus(t, e.patchForm("/api/v1/accounts/update_credentials", carolTok, url.Values{"discoverable": {"false"}}), http.StatusOK)
		e.post(bob, "hello", store.VisibilityPublic)
		names := func(rec *httptest.ResponseRecorder) []string { return usernames(t, rec) }
		if got := names(e.get("/api/v1/directory", "")); !slices.Equal(got, []string{"bob", "alice"}) {
			t.Errorf("active directory = %v, want bob (posted), alice", got)
		}
		if got := names(e.get("/api/v1/directory?order=new&local=true", "")); !slices.Equal(got, []string{"bob", "alice"}) {
			t.Errorf("new directory = %v", got)
		}
		if got := names(e.get("/api/v1/directory?order=new&limit=1&offset=1", "")); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("second page = %v", got)
		}
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(bob.ID)+"/block", aliceTok, nil), http.StatusOK)
		if got := names(e.get("/api/v1/directory", aliceTok)); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("alice's directory after blocking bob = %v", got)
		}
		for _, tc := range []struct {
			query string
			code  int
		}{
			{"limit=many", 400}, {"offset=x", 400}, {"offset=-1", 400}, {"offset=99999", 422},
			{"offset=99999999999999999999999", 400}, {"order=oldest", 422}, {"order=new%00", 422},
			{"order=%FF", 422}, {"local=perhaps", 422},
		} {
			if rec := e.get("/api/v1/directory?"+tc.query, ""); rec.Code != tc.code {
				t.Errorf("directory?%s: %d %s, want %d", tc.query, rec.Code, rec.Body, tc.code)
			}
		}
	})
}

// usernames are the usernames of a 200 answer's list of accounts, in order.
func usernames(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	wantStatus(t, rec, http.StatusOK)
	var out []string
	for _, a := range decodeList(t, rec) {
		out = append(out, a["username"].(string))
	}
	return out
}
