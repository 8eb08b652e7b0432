package mastodon

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/store"
)

// TestReadsNeverStale changes, one at a time, every input of a rendered
// home page and status (the viewer's flags, the status's text and counts,
// the author's profile and counts, filters, follows, blocks, deletion) and
// reads again at once through HTTP, with every cache of the read path warm
// from the reads before (readcache on both stores, rendered statuses,
// cached timelines): each read must show the change.
func TestReadsNeverStale(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvDeps(t, st, feed.StrategyHybrid, nil)
		reader, tok := e.user("reader", "read write follow")
		amy, amyTok := e.user("amy", "read write follow")
		_, bobTok := e.user("bob", "read write follow")
		amyID := formatID(amy.ID)
		wantStatus(t, e.postForm("/api/v1/accounts/"+amyID+"/follow", tok, nil), http.StatusOK)
		s := e.post(amy, "sourdough starter notes", store.VisibilityPublic)
		private := e.post(amy, "followers only", store.VisibilityPrivate)
		own := e.post(reader, "my own", store.VisibilityPublic)
		sID, ownID, privateID := formatID(s.ID), formatID(own.ID), formatID(private.ID)

		// page reads home twice (the second from warm caches) and returns
		// the second, by status ID.
		page := func() map[string]map[string]any {
			t.Helper()
			e.get("/api/v1/timelines/home?limit=20", tok)
			out := map[string]map[string]any{}
			for _, st := range decodeList(t, e.get("/api/v1/timelines/home?limit=20", tok)) {
				out[st["id"].(string)] = st
			}
			return out
		}
		field := func(id, name string, want any) {
			t.Helper()
			got, ok := page()[id]
			if !ok {
				t.Fatalf("status %s missing from home", id)
			}
			v := got[name]
			if f, ok := v.(float64); ok {
				v = int(f)
			}
			if v != want {
				t.Fatalf("home: status %s %s = %v, want %v", id, name, v, want)
			}
		}
		account := func(name string, want any) {
			t.Helper()
			got := page()[sID]["account"].(map[string]any)[name]
			if f, ok := got.(float64); ok {
				got = int(f)
			}
			if got != want {
				t.Fatalf("home: author %s = %v, want %v", name, got, want)
			}
		}
		do := func(target, token string) {
			t.Helper()
			wantStatus(t, e.postForm(target, token, nil), http.StatusOK)
		}
		field(sID, "favourited", false)

		do("/api/v1/statuses/"+sID+"/favourite", tok)
		field(sID, "favourited", true)
		field(sID, "favourites_count", 1)
		do("/api/v1/statuses/"+sID+"/unfavourite", tok)
		field(sID, "favourited", false)
		field(sID, "favourites_count", 0)
		do("/api/v1/statuses/"+sID+"/favourite", bobTok) // someone else's favourite: the count only
		field(sID, "favourites_count", 1)
		field(sID, "favourited", false)

		do("/api/v1/statuses/"+sID+"/reblog", tok)
		field(sID, "reblogged", true)
		field(sID, "reblogs_count", 1)
		do("/api/v1/statuses/"+sID+"/unreblog", tok)
		field(sID, "reblogged", false)
		field(sID, "reblogs_count", 0)

		do("/api/v1/statuses/"+sID+"/bookmark", tok)
		field(sID, "bookmarked", true)
		do("/api/v1/statuses/"+sID+"/unbookmark", tok)
		field(sID, "bookmarked", false)

		do("/api/v1/statuses/"+sID+"/mute", tok)
		field(sID, "muted", true)
		do("/api/v1/statuses/"+sID+"/unmute", tok)
		field(sID, "muted", false)

		do("/api/v1/statuses/"+ownID+"/pin", tok)
		field(ownID, "pinned", true)
		do("/api/v1/statuses/"+ownID+"/unpin", tok)
		field(ownID, "pinned", false)

		// The author edits the status, then her profile; her counts move
		// with a post and a new follower.
		wantStatus(t, e.putForm("/api/v1/statuses/"+sID, amyTok, url.Values{"status": {"rye starter notes"}}), http.StatusOK)
		field(sID, "content", "<p>rye starter notes</p>")
		wantStatus(t, e.patchForm("/api/v1/accounts/update_credentials", amyTok, url.Values{"display_name": {"Amy B."}}), http.StatusOK)
		account("display_name", "Amy B.")
		account("statuses_count", 2)
		e.post(amy, "another", store.VisibilityPublic)
		account("statuses_count", 3)
		account("followers_count", 1)
		do("/api/v1/accounts/"+amyID+"/follow", bobTok)
		account("followers_count", 2)

		// Filters: a new one marks the status, a hiding one removes it,
		// deleting it brings the status back unmarked.
		rec := e.postJSON("/api/v2/filters", tok, map[string]any{"title": "bread", "context": []string{"home"},
			"filter_action": "warn", "keywords_attributes": []map[string]any{{"keyword": "starter"}}})
		wantStatus(t, rec, http.StatusOK)
		filterID := decodeObject(t, rec)["id"].(string)
		if f := page()[sID]["filtered"].([]any); len(f) != 1 {
			t.Fatalf("filtered = %v, want the new filter", f)
		}
		wantStatus(t, e.putForm("/api/v2/filters/"+filterID, tok, url.Values{"filter_action": {"hide"}}), http.StatusOK)
		if _, ok := page()[sID]; ok {
			t.Fatal("a status hidden by a filter is still at home")
		}
		wantStatus(t, e.do(http.MethodDelete, "/api/v2/filters/"+filterID, tok, "", nil), http.StatusOK)
		if f := page()[sID]["filtered"].([]any); len(f) != 0 {
			t.Fatalf("filtered = %v after the filter was deleted", f)
		}

		// Following decides who reads a private status.
		wantStatus(t, e.get("/api/v1/statuses/"+privateID, tok), http.StatusOK)
		do("/api/v1/accounts/"+amyID+"/unfollow", tok)
		wantError(t, e.get("/api/v1/statuses/"+privateID, tok), http.StatusNotFound)
		if _, ok := page()[sID]; ok {
			t.Fatal("an unfollowed author's status is still at home")
		}
		do("/api/v1/accounts/"+amyID+"/follow", tok)
		wantStatus(t, e.get("/api/v1/statuses/"+privateID, tok), http.StatusOK)

		// The author deletes the status: gone from home and by ID.
		wantStatus(t, e.get("/api/v1/statuses/"+sID, tok), http.StatusOK)
		wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+sID, amyTok, "", nil), http.StatusOK)
		wantError(t, e.get("/api/v1/statuses/"+sID, tok), http.StatusNotFound)
		if _, ok := page()[sID]; ok {
			t.Fatal("a deleted status is still at home")
		}

		// The author blocks the reader: her public status is hidden.
		wantStatus(t, e.get("/api/v1/statuses/"+privateID, tok), http.StatusOK)
		do("/api/v1/accounts/"+formatID(reader.ID)+"/block", amyTok)
		wantError(t, e.get("/api/v1/statuses/"+privateID, tok), http.StatusNotFound)
		if _, ok := page()[privateID]; ok {
			t.Fatal("a blocking author's status is still at home")
		}
		field(ownID, "favourited", false)
	})
}
