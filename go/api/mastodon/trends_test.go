package mastodon

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func TestTrendingTags(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	bob, _ := e.user("bob", "read")
	e.post(alice, "#Birds and #cats", store.VisibilityPublic)
	e.post(bob, "#birds", store.VisibilityPublic)
	e.post(bob, "#secret", store.VisibilityPrivate)

	for _, path := range []string{"/api/v1/trends/tags", "/api/v1/trends"} {
		rec := e.get(path, "") // public: no token needed
		wantStatus(t, rec, http.StatusOK)
		tags := decodeList(t, rec)
		if len(tags) != 2 || tags[0]["name"] != "birds" || tags[1]["name"] != "cats" {
			t.Fatalf("%s = %v, want birds then cats", path, tags)
		}
		wantShape(t, "Tag", tags[0], map[string]string{"name": "string", "url": "string", "history": "array"})
		if tags[0]["url"] != testBaseURL+"/tags/birds" {
			t.Errorf("url = %v", tags[0]["url"])
		}
		wantHistory(t, tags[0]["history"].([]any), 2, 2)
	}

	rec := e.get("/api/v1/trends/tags?limit=1", "")
	wantStatus(t, rec, http.StatusOK)
	if tags := decodeList(t, rec); len(tags) != 1 || tags[0]["name"] != "birds" {
		t.Errorf("limit=1 = %v, want [birds]", tags)
	}
	if link := rec.Header().Get("Link"); !strings.Contains(link, "offset=1") || !strings.Contains(link, `rel="next"`) {
		t.Errorf("Link = %q, want a next link with offset=1", link)
	}
	rec = e.get("/api/v1/trends/tags?offset=1", "")
	if tags := decodeList(t, rec); len(tags) != 1 || tags[0]["name"] != "cats" {
		t.Errorf("offset=1 = %v, want [cats]", tags)
	}
	wantError(t, e.get("/api/v1/trends/tags?offset=-1", ""), http.StatusBadRequest)
	wantError(t, e.get("/api/v1/trends/tags?limit=x", ""), http.StatusBadRequest)
}

// wantHistory checks a Tag's history: seven days, today first, every field
// a string, today's uses and accounts as given.
func wantHistory(t *testing.T, hist []any, uses, accounts int) {
	t.Helper()
	if len(hist) != 7 {
		t.Fatalf("history has %d days, want 7", len(hist))
	}
	today := time.Now().UTC().Truncate(24 * time.Hour).Unix()
	for i, d := range hist {
		day := d.(map[string]any)
		wantShape(t, "Tag history", day, map[string]string{"day": "string", "uses": "string", "accounts": "string"})
		if want := strconv.FormatInt(today-int64(i)*86400, 10); day["day"] != want {
			t.Errorf("history[%d].day = %v, want %s", i, day["day"], want)
		}
	}
	if h := hist[0].(map[string]any); h["uses"] != strconv.Itoa(uses) || h["accounts"] != strconv.Itoa(accounts) {
		t.Errorf("today = %v, want %d uses by %d accounts", h, uses, accounts)
	}
}

func TestTrendingStatuses(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	bob, bobTok := e.user("bob", "read write follow")
	carol, carolTok := e.user("carol", "read write follow")
	liked := e.post(alice, "liked", store.VisibilityPublic)
	loved := e.post(carol, "loved", store.VisibilityPublic)
	e.post(alice, "ignored", store.VisibilityPublic)
	hidden := e.post(alice, "unlisted", store.VisibilityUnlisted)
	for _, f := range []struct {
		tok string
		st  *store.Status
	}{{bobTok, liked}, {bobTok, loved}, {carolTok, liked}, {bobTok, hidden}} {
		wantStatus(t, e.postForm("/api/v1/statuses/"+formatID(f.st.ID)+"/favourite", f.tok, nil), http.StatusOK)
	}
	wantStatus(t, e.postForm("/api/v1/statuses/"+formatID(loved.ID)+"/favourite", bobTok, nil), http.StatusOK) // idempotent

	rec := e.get("/api/v1/trends/statuses", "")
	wantStatus(t, rec, http.StatusOK)
	sts := decodeList(t, rec)
	if len(sts) != 2 || sts[0]["id"] != formatID(liked.ID) || sts[1]["id"] != formatID(loved.ID) {
		t.Fatalf("trending = %v, want %d then %d", sts, liked.ID, loved.ID)
	}
	if _, ok := sts[0]["favourited"]; ok {
		t.Error("anonymous status has a favourited flag")
	}
	// bob blocks carol: her status leaves his trends.
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(carol.ID)+"/block", bobTok, nil), http.StatusOK)
	rec = e.get("/api/v1/trends/statuses", bobTok)
	wantStatus(t, rec, http.StatusOK)
	if sts := decodeList(t, rec); len(sts) != 1 || sts[0]["id"] != formatID(liked.ID) || sts[0]["favourited"] != true {
		t.Errorf("bob's trending = %v, want only %d, favourited", sts, liked.ID)
	}
	_ = bob
	wantError(t, e.get("/api/v1/trends/statuses?offset=-2", ""), http.StatusBadRequest)
}

func TestGetTag(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	e.post(alice, "#Kingfisher", store.VisibilityPublic)

	rec := e.get("/api/v1/tags/KingFisher", "")
	wantStatus(t, rec, http.StatusOK)
	tag := decodeObject(t, rec)
	if tag["name"] != "kingfisher" {
		t.Errorf("name = %v, want kingfisher", tag["name"])
	}
	wantHistory(t, tag["history"].([]any), 1, 1)

	rec = e.get("/api/v1/tags/unused", "")
	wantStatus(t, rec, http.StatusOK)
	wantHistory(t, decodeObject(t, rec)["history"].([]any), 0, 0)

	wantError(t, e.get("/api/v1/tags/not-a-tag", ""), http.StatusNotFound)
}
