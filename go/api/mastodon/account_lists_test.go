package mastodon

import (
	"net/http"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestAccountListsHideBlocks checks the one rule for account lists: an
// account the viewer blocks, or that blocks the viewer, is left out of
// every list other accounts' actions make (followers, following,
// favourited_by, reblogged_by), and stays in them for everyone else.
func TestAccountListsHideBlocks(t *testing.T) {
	e := newTestEnv(t)
	const scopes = "read write follow"
	alice, aliceTok := e.user("alice", scopes)
	carol, carolTok := e.user("carol", scopes) // the account listed everywhere
	_, bobTok := e.user("bob", scopes)         // blocks carol
	_, daveTok := e.user("dave", scopes)       // blocked by carol
	_, erinTok := e.user("erin", scopes)       // no relation

	s := formatID(e.post(alice, "a post everyone may see", store.VisibilityPublic).ID)
	for _, target := range []string{
		"/api/v1/accounts/" + formatID(alice.ID) + "/follow", // carol among alice's followers
		"/api/v1/statuses/" + s + "/favourite",
		"/api/v1/statuses/" + s + "/reblog",
	} {
		wantStatus(t, e.postForm(target, carolTok, nil), http.StatusOK)
	}
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(carol.ID)+"/follow", aliceTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(carol.ID)+"/block", bobTok, nil), http.StatusOK)
	daveID := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", daveTok))["id"].(string)
	wantStatus(t, e.postForm("/api/v1/accounts/"+daveID+"/block", carolTok, nil), http.StatusOK)

	lists := []string{
		"/api/v1/accounts/" + formatID(alice.ID) + "/followers",
		"/api/v1/accounts/" + formatID(alice.ID) + "/following",
		"/api/v1/statuses/" + s + "/favourited_by",
		"/api/v1/statuses/" + s + "/reblogged_by",
	}
	viewers := []struct {
		name, token string
		listed      bool
	}{
		{"bob (blocks carol)", bobTok, false},
		{"dave (blocked by carol)", daveTok, false},
		{"erin (no relation)", erinTok, true},
		{"anonymous", "", true},
	}
	for _, list := range lists {
		for _, v := range viewers {
			rec := e.get(list, v.token)
			wantStatus(t, rec, http.StatusOK)
			listed := false
			for _, a := range decodeList(t, rec) {
				listed = listed || a["id"] == formatID(carol.ID)
			}
			if listed != v.listed {
				t.Errorf("GET %s as %s: carol listed = %t, want %t", list, v.name, listed, v.listed)
			}
		}
	}
}
