package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestGetStatuses(t *testing.T) {
	e := newTestEnv(t)
	alice, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	muted, _ := e.user("muted", "read write")
	pub := e.post(alice, "public", store.VisibilityPublic)
	priv := e.post(alice, "private", store.VisibilityPrivate)
	unl := e.post(bob, "unlisted", store.VisibilityUnlisted)
	m := e.post(muted, "from a muted account", store.VisibilityPublic)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(muted.ID)+"/mute", bobTok, nil), http.StatusOK)

	ask := func(tok string, ids ...int64) []string {
		t.Helper()
		q := url.Values{}
		for _, id := range ids {
			q.Add("id[]", formatID(id))
		}
		rec := e.get("/api/v1/statuses?"+q.Encode(), tok)
		wantStatus(t, rec, http.StatusOK)
		return accountIDsIn(decodeList(t, rec))
	}
	// In the order asked, each once; missing and hidden ones left out.
	if got, want := ask(bobTok, unl.ID, pub.ID, 424242, priv.ID, pub.ID, m.ID), []string{formatID(unl.ID), formatID(pub.ID)}; !slices.Equal(got, want) {
		t.Errorf("bob asks = %v, want %v (alice's private and a muted account's left out)", got, want)
	}
	if got, want := ask(aliceTok, priv.ID, m.ID, pub.ID), []string{formatID(priv.ID), formatID(m.ID), formatID(pub.ID)}; !slices.Equal(got, want) {
		t.Errorf("alice asks = %v, want %v", got, want)
	}
	if got, want := ask("", priv.ID, pub.ID), []string{formatID(pub.ID)}; !slices.Equal(got, want) {
		t.Errorf("anonymous asks = %v, want %v", got, want)
	}
	if got := ask(aliceTok); len(got) != 0 {
		t.Errorf("no IDs gave %v", got)
	}
	// At most 20 IDs, as Mastodon.
	q := url.Values{}
	for range 21 {
		q.Add("id[]", formatID(pub.ID))
	}
	wantError(t, e.get("/api/v1/statuses?"+q.Encode(), aliceTok), http.StatusUnprocessableEntity)
	wantError(t, e.get("/api/v1/statuses?id[]=x1", aliceTok), http.StatusBadRequest)
}
