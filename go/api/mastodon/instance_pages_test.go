package mastodon

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestInstancePages(t *testing.T) {
	e := newTestEnvWithRules(t, []social.Rule{{ID: 1, Text: "Be kind"}, {ID: 2, Text: "No spam", Hint: "Ads included"}})
	alice, _ := e.user("alice", "read write")
	e.post(alice, "one", store.VisibilityPublic)
	e.post(alice, "two", store.VisibilityDirect)

	rules := decodeList(t, e.get("/api/v1/instance/rules", ""))
	if len(rules) != 2 || rules[0]["id"] != "1" || rules[0]["text"] != "Be kind" || rules[1]["hint"] != "Ads included" {
		t.Errorf("rules = %v", rules)
	}
	if got := decodeObject(t, e.get("/api/v2/instance", ""))["rules"].([]any); len(got) != 2 {
		t.Errorf("v2 instance rules = %v", got)
	}
	if got := decodeObject(t, e.get("/api/v1/instance", ""))["rules"].([]any); len(got) != 2 {
		t.Errorf("v1 instance rules = %v", got)
	}

	for _, target := range []string{"/api/v1/instance/peers", "/api/v1/custom_emojis", "/api/v1/trends/links"} {
		rec := e.get(target, "")
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != "[]\n" {
			t.Errorf("%s = %s, want []", target, rec.Body)
		}
	}
	wantError(t, e.get("/api/v1/trends/links?limit=ten", ""), http.StatusBadRequest)

	ext := decodeObject(t, e.get("/api/v1/instance/extended_description", ""))
	if ext["updated_at"] != nil || ext["content"] != "" {
		t.Errorf("extended description without one set = %v", ext)
	}

	rec := e.get("/api/v1/instance/activity", "")
	wantStatus(t, rec, http.StatusOK)
	weeks := decodeList(t, rec)
	if len(weeks) != 12 {
		t.Fatalf("%d weeks, want 12", len(weeks))
	}
	for i, w := range weeks {
		wantShape(t, "activity week", w, map[string]string{"week": "string", "statuses": "string", "logins": "string", "registrations": "string"})
		sec, err := strconv.ParseInt(w["week"].(string), 10, 64)
		start := time.Unix(sec, 0).UTC()
		if err != nil || start.Weekday() != time.Monday || start.Hour() != 0 {
			t.Errorf("week %d starts %v (%v), want a Monday midnight", i, start, err)
		}
		if i > 0 {
			prev, _ := strconv.ParseInt(weeks[i-1]["week"].(string), 10, 64)
			if prev-sec != 7*24*3600 {
				t.Errorf("weeks %d and %d are not a week apart", i-1, i)
			}
		}
	}
	// This week: alice registered, signed in (a token) and posted twice.
	if w := weeks[0]; w["statuses"] != "2" || w["logins"] != "1" || w["registrations"] != "1" {
		t.Errorf("this week = %v, want 2 statuses, 1 login, 1 registration", w)
	}
}

func TestExtendedDescription(t *testing.T) {
	e := newTestEnv(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	e.h.info.ExtendedDescription, e.h.info.ExtendedDescriptionUpdatedAt = "Hello <people>\n\nSecond paragraph", at
	ext := decodeObject(t, e.get("/api/v1/instance/extended_description", ""))
	if ext["updated_at"] != "2025-03-01T12:00:00.000Z" {
		t.Errorf("updated_at = %v", ext["updated_at"])
	}
	if ext["content"] != "<p>Hello &lt;people&gt;</p><p>Second paragraph</p>" {
		t.Errorf("content = %q", ext["content"])
	}
}
