package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestHomeReadsSeeChangesAtOnce: a home read right after a mute, an unmute,
// a block by the author, or a token revocation already obeys it, with the
// caches of the read path (rendered statuses, cached timelines) warm from
// the reads before. Every strategy, both stores: the read path's relations
// and token lookups are one query each and must never answer from the past.
func TestHomeReadsSeeChangesAtOnce(t *testing.T) {
	for _, strategy := range feedStrategies {
		t.Run(strategy, func(t *testing.T) {
			onBothStores(t, func(t *testing.T, st store.Store) {
				e := newStreamEnvDeps(t, st, strategy, nil)
				reader, tok := e.user("reader", "read write follow")
				a, _ := e.user("amy", "read write follow")
				b, bTok := e.user("bob", "read write follow")
				for _, who := range []*store.Account{a, b} {
					wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(who.ID)+"/follow", tok, nil), http.StatusOK)
				}
				fromA := e.post(a, "from amy", store.VisibilityPublic)
				fromB := e.post(b, "from bob", store.VisibilityPublic)
				own := e.post(reader, "mine", store.VisibilityPublic)
				home := func(want ...*store.Status) {
					t.Helper()
					var got []string
					for _, s := range decodeList(t, e.get("/api/v1/timelines/home?limit=20", tok)) {
						got = append(got, s["id"].(string))
					}
					var ids []string
					for _, s := range want {
						ids = append(ids, formatID(s.ID))
					}
					if !slices.Equal(got, ids) {
						t.Fatalf("home = %v, want %v", got, ids)
					}
				}
				home(own, fromB, fromA)
				home(own, fromB, fromA) // warm

				wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(a.ID)+"/mute", tok, nil), http.StatusOK)
				home(own, fromB)
				wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(a.ID)+"/unmute", tok, nil), http.StatusOK)
				home(own, fromB, fromA)

				// The author blocks the reader: hidden on the next read.
				wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(reader.ID)+"/block", bTok, nil), http.StatusOK)
				home(own, fromA)

				// The token is revoked: the next read is refused.
				wantStatus(t, e.postForm("/oauth/revoke", "", url.Values{"client_id": {e.app.ClientID},
					"client_secret": {e.app.ClientSecret}, "token": {tok}}), http.StatusOK)
				wantError(t, e.get("/api/v1/timelines/home", tok), http.StatusUnauthorized)
			})
		})
	}
}
