package mastodon

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// tagNames lists the names of a list of Tag entities, with following.
func tagNames(t *testing.T, list []map[string]any) []string {
	t.Helper()
	out := make([]string, len(list))
	for i, tag := range list {
		out[i] = fmt.Sprintf("%v:%v", tag["name"], tag["following"])
	}
	return out
}

func TestFollowTags(t *testing.T) {
	e := newTestEnv(t)
	_, aliceTok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read write")
	_, carolTok := e.user("carol", "read write follow")

	// Following: case and '#' ignored, idempotent, the Tag says so.
	for range 2 {
		rec := e.postForm("/api/v1/tags/%23Cats/follow", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		tag := decodeObject(t, rec)
		wantShape(t, "Tag", tag, map[string]string{"name": "string", "url": "string", "history": "array", "following": "boolean"})
		if tag["name"] != "cats" || tag["following"] != true {
			t.Fatalf("followed tag = %v", tag)
		}
	}
	wantStatus(t, e.postForm("/api/v1/tags/dogs/follow", aliceTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/tags/birds/follow", aliceTok, nil), http.StatusOK)
	wantError(t, e.postForm("/api/v1/tags/no%20tag/follow", aliceTok, nil), http.StatusNotFound)

	// following everywhere a Tag is shown to a signed-in viewer, never to
	// anonymous ones.
	if got := decodeObject(t, e.get("/api/v1/tags/cats", aliceTok))["following"]; got != true {
		t.Errorf("GET /tags/cats following = %v for alice", got)
	}
	if got := decodeObject(t, e.get("/api/v1/tags/cats", carolTok))["following"]; got != false {
		t.Errorf("GET /tags/cats following = %v for carol", got)
	}
	if _, ok := decodeObject(t, e.get("/api/v1/tags/cats", ""))["following"]; ok {
		t.Error("anonymous GET /tags/cats carries following")
	}
	e.post(bob, "#cats are great", store.VisibilityPublic)
	res := decodeObject(t, e.get("/api/v2/search?type=hashtags&q=cat", aliceTok))
	if got := res["hashtags"].([]any); len(got) != 1 || got[0].(map[string]any)["following"] != true {
		t.Errorf("search hashtags for alice = %v", got)
	}
	trends := decodeList(t, e.get("/api/v1/trends/tags", aliceTok))
	if got := tagNames(t, trends); !slices.Equal(got, []string{"cats:true"}) {
		t.Errorf("trending tags for alice = %v", got)
	}

	// followed_tags: newest follow first, paged by the follow, Link header.
	rec := e.get("/api/v1/followed_tags?limit=2", aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if got := tagNames(t, decodeList(t, rec)); !slices.Equal(got, []string{"birds:true", "dogs:true"}) {
		t.Fatalf("followed tags page 1 = %v", got)
	}
	next := linkURL(t, rec.Header().Get("Link"), "next")
	rec = e.get(strings.TrimPrefix(next, testBaseURL), aliceTok)
	wantStatus(t, rec, http.StatusOK)
	if got := tagNames(t, decodeList(t, rec)); !slices.Equal(got, []string{"cats:true"}) {
		t.Errorf("followed tags page 2 = %v", got)
	}
	if got := decodeList(t, e.get("/api/v1/followed_tags", carolTok)); len(got) != 0 {
		t.Errorf("carol follows %v", got)
	}

	// Unfollowing, twice, is fine and says so.
	for range 2 {
		rec := e.postForm("/api/v1/tags/dogs/unfollow", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if got := decodeObject(t, rec)["following"]; got != false {
			t.Errorf("unfollowed tag following = %v", got)
		}
	}
}

// A followed tag brings its public statuses into home, and the user
// stream, whoever posts them; the visibility rule still applies.
func TestFollowedTagsInHome(t *testing.T) {
	e := newStreamEnv(t)
	reader, readerTok := e.user("reader", "read write follow")
	poster, posterTok := e.user("poster", "read write follow")
	muted, _ := e.user("muted", "read write")
	blocker, blockerTok := e.user("blocker", "read write follow")
	wantStatus(t, e.postForm("/api/v1/tags/gardening/follow", readerTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(muted.ID)+"/mute", readerTok, nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(reader.ID)+"/block", blockerTok, nil), http.StatusOK)
	conn := e.dial("?stream=user", readerTok)
	conn.barrier()

	public := e.post(poster, "tomatoes #Gardening", store.VisibilityPublic)
	second := e.post(poster, "more #gardening", store.VisibilityPublic)
	e.post(poster, "unlisted #gardening", store.VisibilityUnlisted)
	e.post(poster, "private #gardening", store.VisibilityPrivate)
	e.post(poster, "other #cooking", store.VisibilityPublic)
	e.post(muted, "muted #gardening", store.VisibilityPublic)
	e.post(blocker, "blocked #gardening", store.VisibilityPublic)
	rb := e.postForm("/api/v1/statuses/"+formatID(public.ID)+"/reblog", posterTok, nil)
	wantStatus(t, rb, http.StatusOK)
	marker := e.post(reader, "marker", store.VisibilityPublic)

	rec := e.get("/api/v1/timelines/home?limit=40", readerTok)
	wantStatus(t, rec, http.StatusOK)
	got := accountIDsIn(decodeList(t, rec))
	want := []string{formatID(marker.ID), formatID(second.ID), formatID(public.ID)}
	if !slices.Equal(got, want) {
		t.Errorf("home = %v, want marker, then the two public #gardening statuses %v", got, want)
	}
	var streamed []string
	for {
		m := conn.next()
		if m["event"] != "update" {
			continue
		}
		var s mxStatus
		mxUnmarshal(t, m, &s)
		if s.ID == formatID(marker.ID) {
			break
		}
		streamed = append(streamed, s.ID)
	}
	if want := []string{formatID(public.ID), formatID(second.ID)}; !slices.Equal(streamed, want) {
		t.Errorf("user stream = %v, want the public #gardening statuses %v", streamed, want)
	}

	// Unfollowing takes them out again.
	wantStatus(t, e.postForm("/api/v1/tags/gardening/unfollow", readerTok, nil), http.StatusOK)
	if got := accountIDsIn(decodeList(t, e.get("/api/v1/timelines/home?limit=40", readerTok))); !slices.Equal(got, want[:1]) {
		t.Errorf("home after unfollowing = %v, want the marker only", got)
	}
}

func TestFollowedTagsLimit(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write follow")
	for i := range 1000 {
		f := &store.TagFollow{ID: int64(i + 1), AccountID: alice.ID, Name: fmt.Sprintf("tag%d", i), CreatedAt: alice.CreatedAt}
		if err := e.st.PutTagFollow(t.Context(), f, 1000); err != nil {
			t.Fatal(err)
		}
	}
	msg := wantError(t, e.postForm("/api/v1/tags/onemore/follow", tok, nil), http.StatusUnprocessableEntity)
	if !strings.Contains(msg, "1000") {
		t.Errorf("limit message %q does not say the limit", msg)
	}
	wantStatus(t, e.postForm("/api/v1/tags/tag5/follow", tok, nil), http.StatusOK) // already followed: fine
}
