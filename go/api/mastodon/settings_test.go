package mastodon

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestMarkers(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	both := "/api/v1/markers?timeline[]=home&timeline[]=notifications"

	rec := e.get(both, tok)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec); len(got) != 0 {
		t.Fatalf("markers before any save = %v, want {}", got)
	}
	// A form, as the docs show it.
	rec = e.postForm("/api/v1/markers", tok, url.Values{"home[last_read_id]": {"103206604258487607"}})
	wantStatus(t, rec, http.StatusOK)
	body := decodeObject(t, rec)
	home, ok := body["home"].(map[string]any)
	if !ok || len(body) != 1 {
		t.Fatalf("saved = %v, want the home marker only", body)
	}
	wantShape(t, "Marker", home, map[string]string{"last_read_id": "string", "version": "number", "updated_at": "string"})
	if home["last_read_id"] != "103206604258487607" || home["version"] != 1.0 {
		t.Errorf("home marker = %v, want last_read_id 103206604258487607, version 1", home)
	}
	if s, _ := home["updated_at"].(string); !mastodonTime.MatchString(s) {
		t.Errorf("updated_at = %q", s)
	}
	// JSON with nested objects, as masto.js sends it; both timelines.
	rec = e.postJSON("/api/v1/markers", tok, map[string]any{
		"home": map[string]string{"last_read_id": "5"}, "notifications": map[string]any{"last_read_id": 7}})
	wantStatus(t, rec, http.StatusOK)
	body = decodeObject(t, e.get(both, tok))
	if h := body["home"].(map[string]any); h["last_read_id"] != "5" || h["version"] != 2.0 {
		t.Errorf("home after the second save = %v, want 5 at version 2", h)
	}
	if n := body["notifications"].(map[string]any); n["last_read_id"] != "7" || n["version"] != 1.0 {
		t.Errorf("notifications = %v, want 7 at version 1", n)
	}
	// Only the timelines asked for; unknown names are ignored.
	body = decodeObject(t, e.get("/api/v1/markers?timeline[]=notifications&timeline[]=public", tok))
	if _, ok := body["home"]; ok || len(body) != 1 {
		t.Errorf("asking for notifications and public gave %v", body)
	}
	// Nothing to save is an empty answer; markers are per account.
	wantStatus(t, e.postForm("/api/v1/markers", tok, nil), http.StatusOK)
	if got := decodeObject(t, e.get(both, bobTok)); len(got) != 0 {
		t.Errorf("bob sees markers %v", got)
	}
	for _, bad := range []url.Values{
		{"home[last_read_id]": {"abc"}},
		{"home[last_read_id]": {"-1"}},
		{"home[last_read_id]": {"99999999999999999999999"}},
	} {
		wantError(t, e.postForm("/api/v1/markers", tok, bad), http.StatusBadRequest)
	}
	wantError(t, e.postForm("/api/v1/markers", tok, url.Values{"notifications[last_read_id]": {"1\x00"}}), http.StatusUnprocessableEntity)
}

func TestPreferences(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read write")
	rec := e.get("/api/v1/preferences", tok)
	wantStatus(t, rec, http.StatusOK)
	body := decodeObject(t, rec)
	want := map[string]any{"posting:default:visibility": "public", "posting:default:sensitive": false,
		"posting:default:language": nil, "reading:expand:media": "default", "reading:expand:spoilers": false}
	for k, v := range want {
		if got, ok := body[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}

	// What update_credentials' source[...] will set (a later change wires
	// it): stored, shown, and used for new statuses.
	priv, de, all, yes := "private", "de", "show_all", true
	if _, err := e.svc.UpdatePreferences(t.Context(), alice, social.PreferencesInput{
		PostingVisibility: &priv, PostingLanguage: &de, ExpandMedia: &all, ExpandSpoilers: &yes, PostingSensitive: &yes,
	}); err != nil {
		t.Fatal(err)
	}
	body = decodeObject(t, e.get("/api/v1/preferences", tok))
	want = map[string]any{"posting:default:visibility": "private", "posting:default:sensitive": true,
		"posting:default:language": "de", "reading:expand:media": "show_all", "reading:expand:spoilers": true}
	for k, v := range want {
		if got := body[k]; got != v {
			t.Errorf("after update %s = %v, want %v", k, got, v)
		}
	}
	source := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["source"].(map[string]any)
	if source["privacy"] != "private" || source["sensitive"] != true || source["language"] != "de" {
		t.Errorf("source = %v, want private, sensitive, de", source)
	}
	rec = e.postForm("/api/v1/statuses", tok, url.Values{"status": {"defaults apply"}})
	wantStatus(t, rec, http.StatusOK)
	st := decodeObject(t, rec)
	if st["visibility"] != "private" || st["language"] != "de" {
		t.Errorf("a status without visibility or language = %v/%v, want private/de", st["visibility"], st["language"])
	}
	rec = e.postForm("/api/v1/statuses", tok, url.Values{"status": {"explicit"}, "visibility": {"unlisted"}, "language": {"fr"}})
	wantStatus(t, rec, http.StatusOK)
	if st := decodeObject(t, rec); st["visibility"] != "unlisted" || st["language"] != "fr" {
		t.Errorf("explicit values = %v/%v, want unlisted/fr", st["visibility"], st["language"])
	}

	for _, bad := range []social.PreferencesInput{
		{PostingVisibility: ptr("secret")},
		{PostingLanguage: ptr("not a language")},
		{PostingLanguage: ptr("de\x00")},
		{ExpandMedia: ptr("sometimes")},
	} {
		_, err := e.svc.UpdatePreferences(t.Context(), alice, bad)
		if social.KindOf(err) != social.KindInvalid {
			t.Errorf("UpdatePreferences(%+v) = %v, want invalid", bad, err)
		}
	}
	if p, err := e.svc.Preferences(t.Context(), alice); err != nil || p.PostingVisibility != store.VisibilityPrivate {
		t.Errorf("a refused update changed the preferences: %+v, %v", p, err)
	}
}
