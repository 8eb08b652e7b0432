package mastodon

import (
	"net/http"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestCountsRevealNoHiddenStatus checks over HTTP, on both stores, that
// the public counts count only what every reader may know of: direct
// statuses stay out of statuses_count (and last_status_at), private and
// direct replies out of replies_count and so out of trending engagement.
func TestCountsRevealNoHiddenStatus(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		const scopes = "read write follow"
		alice, aliceTok := e.user("alice", scopes)
		_, bobTok := e.user("bob", scopes)

		// alice's only post is a direct message to bob.
		mxPost(e, aliceTok, "@bob psst", "direct", "")
		acct := decodeObject(t, e.get("/api/v1/accounts/"+formatID(alice.ID), ""))
		if acct["statuses_count"] != 0.0 || acct["last_status_at"] != nil {
			t.Errorf("after a direct status only: statuses_count %v, last_status_at %v; want 0, null",
				acct["statuses_count"], acct["last_status_at"])
		}
		root := mxPost(e, aliceTok, "hello world", "public", "")
		if got := decodeObject(t, e.get("/api/v1/accounts/"+formatID(alice.ID), ""))["statuses_count"]; got != 1.0 {
			t.Errorf("statuses_count = %v, want 1", got)
		}

		// bob answers privately and directly: nobody else may see those.
		mxPost(e, bobTok, "@alice followers only", "private", root)
		mxPost(e, bobTok, "@alice just you", "direct", root)
		if got := decodeObject(t, e.get("/api/v1/statuses/"+root, ""))["replies_count"]; got != 0.0 {
			t.Errorf("replies_count after private and direct replies = %v, want 0", got)
		}
		rec := e.get("/api/v1/trends/statuses", "")
		wantStatus(t, rec, http.StatusOK)
		for _, s := range decodeList(t, rec) {
			if s["id"] == root {
				t.Errorf("a status whose only replies are private and direct trends: %v", s)
			}
		}
		mxPost(e, bobTok, "@alice in public", "public", root)
		mxPost(e, bobTok, "@alice quietly", "unlisted", root)
		if got := decodeObject(t, e.get("/api/v1/statuses/"+root, ""))["replies_count"]; got != 2.0 {
			t.Errorf("replies_count after public and unlisted replies = %v, want 2", got)
		}
	})
}
