package mastodon

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
)

func TestAnnouncements(t *testing.T) {
	e := newTestEnv(t)
	_, aliceTok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	ctx := t.Context()
	if got := decodeList(t, e.get("/api/v1/announcements", aliceTok)); len(got) != 0 {
		t.Fatalf("announcements before any = %v", got)
	}
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	a, err := e.svc.CreateAnnouncement(ctx, "test", social.AnnouncementInput{Text: "Maintenance tonight, see https://status.example", EndsAt: &future})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateAnnouncement(ctx, "test", social.AnnouncementInput{Text: "not yet", StartsAt: &future}); err != nil {
		t.Fatal(err)
	}
	ended, err := e.svc.CreateAnnouncement(ctx, "test", social.AnnouncementInput{Text: "over", StartsAt: ptr(past.Add(-time.Hour)), EndsAt: &past})
	if err != nil {
		t.Fatal(err)
	}
	id := formatID(a.ID)

	list := decodeList(t, e.get("/api/v1/announcements", aliceTok))
	if len(list) != 1 {
		t.Fatalf("active announcements = %v, want only the running one", list)
	}
	wantShape(t, "Announcement", list[0], map[string]string{"id": "string", "content": "string", "all_day": "boolean",
		"published_at": "string", "updated_at": "string", "read": "boolean", "mentions": "array", "statuses": "array",
		"tags": "array", "emojis": "array", "reactions": "array", "ends_at": "string", "starts_at": "null"})
	if list[0]["id"] != id || list[0]["read"] != false {
		t.Errorf("announcement = %v", list[0])
	}

	// Dismissing marks it read for alice only.
	rec := e.postForm("/api/v1/announcements/"+id+"/dismiss", aliceTok, nil)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeList(t, e.get("/api/v1/announcements", aliceTok))[0]["read"]; got != true {
		t.Errorf("read after dismissing = %v", got)
	}
	if got := decodeList(t, e.get("/api/v1/announcements", bobTok))[0]["read"]; got != false {
		t.Errorf("bob's read = %v", got)
	}

	// Reactions: Unicode emoji, counted, "me" per viewer.
	react := func(tok, name, method string) int {
		return e.do(method, "/api/v1/announcements/"+id+"/reactions/"+url.PathEscape(name), tok, "", nil).Code
	}
	for _, r := range []struct{ tok, name string }{{aliceTok, "🎉"}, {bobTok, "🎉"}, {bobTok, "👍🏽"}, {aliceTok, "🎉"}} {
		if code := react(r.tok, r.name, http.MethodPut); code != http.StatusOK {
			t.Errorf("react %s: %d", r.name, code)
		}
	}
	reactions := decodeList(t, e.get("/api/v1/announcements", aliceTok))[0]["reactions"].([]any)
	if len(reactions) != 2 {
		t.Fatalf("reactions = %v", reactions)
	}
	first := reactions[0].(map[string]any)
	if first["name"] != "🎉" || first["count"] != 2.0 || first["me"] != true {
		t.Errorf("first reaction = %v", first)
	}
	if second := reactions[1].(map[string]any); second["name"] != "👍🏽" || second["count"] != 1.0 || second["me"] != false {
		t.Errorf("second reaction = %v", second)
	}
	if code := react(bobTok, "👍🏽", http.MethodDelete); code != http.StatusOK {
		t.Errorf("unreact: %d", code)
	}
	if code := react(bobTok, "👍🏽", http.MethodDelete); code != http.StatusNotFound {
		t.Errorf("unreact twice: %d, want 404", code)
	}
	for _, bad := range []string{"notanemoji", "🎉x", ":custom:", "1", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"} {
		if code := react(aliceTok, bad, http.MethodPut); code != http.StatusUnprocessableEntity {
			t.Errorf("reacting with %q: %d, want 422", bad, code)
		}
	}
	// Eight different reactions at most.
	for _, name := range []string{"😀", "😁", "😂", "🤣", "😃", "😄", "😅"} {
		if code := react(aliceTok, name, http.MethodPut); code != http.StatusOK {
			t.Fatalf("reaction %s: %d", name, code)
		}
	}
	if code := react(bobTok, "😆", http.MethodPut); code != http.StatusUnprocessableEntity {
		t.Errorf("a ninth reaction: %d, want 422", code)
	}

	// Inactive or missing announcements cannot be acted on.
	wantError(t, e.postForm("/api/v1/announcements/"+formatID(ended.ID)+"/dismiss", aliceTok, nil), http.StatusNotFound)
	wantError(t, e.postForm("/api/v1/announcements/424242/dismiss", aliceTok, nil), http.StatusNotFound)
	if err := e.svc.DeleteAnnouncement(ctx, "test", a.ID); err != nil {
		t.Fatal(err)
	}
	if got := decodeList(t, e.get("/api/v1/announcements", aliceTok)); len(got) != 0 {
		t.Errorf("announcements after withdrawal = %v", got)
	}
	if _, err := e.svc.CreateAnnouncement(ctx, "test", social.AnnouncementInput{Text: "bad window", StartsAt: &future, EndsAt: &past}); social.KindOf(err) != social.KindInvalid {
		t.Errorf("an end before the start: %v", err)
	}
	if _, err := e.svc.CreateAnnouncement(ctx, "test", social.AnnouncementInput{Text: "  "}); social.KindOf(err) != social.KindInvalid {
		t.Errorf("blank text: %v", err)
	}
}
