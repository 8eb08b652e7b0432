package mastodon

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/store"
)

func TestInstanceV1(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	e.user("bob", "read")
	e.post(alice, "hello", store.VisibilityPublic)
	e.post(alice, "again", store.VisibilityPrivate)

	rec := e.get("/api/v1/instance", "")
	wantStatus(t, rec, http.StatusOK)
	obj := decodeObject(t, rec)
	wantShape(t, "Instance", obj, map[string]string{
		"uri": "string", "title": "string", "short_description": "string", "description": "string",
		"email": "string", "version": "string", "urls": "object", "stats": "object", "thumbnail": "string",
		"languages": "array", "registrations": "boolean", "approval_required": "boolean",
		"invites_enabled": "boolean", "configuration": "object", "contact_account": "null", "rules": "array",
	})
	if obj["uri"] != "starling.test" || obj["registrations"] != true || obj["title"] != "Starling" {
		t.Errorf("uri = %v, registrations = %v, title = %v", obj["uri"], obj["registrations"], obj["title"])
	}
	if u := obj["urls"].(map[string]any)["streaming_api"]; u != "wss://starling.test" {
		t.Errorf("urls.streaming_api = %v", u)
	}
	stats := obj["stats"].(map[string]any)
	if stats["user_count"] != 2.0 || stats["status_count"] != 2.0 || stats["domain_count"] != 0.0 {
		t.Errorf("stats = %v, want 2 users, 2 statuses, 0 domains", stats)
	}
	conf := obj["configuration"].(map[string]any)
	wantShape(t, "configuration", conf, map[string]string{
		"accounts": "object", "statuses": "object", "media_attachments": "object", "polls": "object",
	})
	if n := conf["statuses"].(map[string]any)["max_characters"]; n != 500.0 {
		t.Errorf("max_characters = %v, want 500", n)
	}
	if obj["version"] != compatVersion+" (compatible; Starling test)" {
		t.Errorf("version = %v", obj["version"])
	}
	if obj["thumbnail"] != testBaseURL+thumbnailPath {
		t.Errorf("thumbnail = %v, want the bundled image's URL", obj["thumbnail"])
	}
}

func TestInstanceV2(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read")
	e.post(alice, "hello", store.VisibilityPublic)

	rec := e.get("/api/v2/instance", "")
	wantStatus(t, rec, http.StatusOK)
	obj := decodeObject(t, rec)
	wantShape(t, "Instance", obj, map[string]string{
		"domain": "string", "title": "string", "version": "string", "source_url": "string",
		"description": "string", "usage": "object", "thumbnail": "object", "languages": "array",
		"configuration": "object", "registrations": "object", "contact": "object", "rules": "array",
	})
	if obj["domain"] != "starling.test" {
		t.Errorf("domain = %v", obj["domain"])
	}
	if n := obj["usage"].(map[string]any)["users"].(map[string]any)["active_month"]; n != 1.0 {
		t.Errorf("usage.users.active_month = %v, want 1", n)
	}
	wantShape(t, "thumbnail", obj["thumbnail"].(map[string]any), map[string]string{"url": "string"})
	conf := obj["configuration"].(map[string]any)
	wantShape(t, "configuration", conf, map[string]string{
		"urls": "object", "accounts": "object", "statuses": "object", "media_attachments": "object",
		"polls": "object", "translation": "object",
	})
	if s := conf["urls"].(map[string]any)["streaming"]; s != "wss://starling.test" {
		t.Errorf("configuration.urls.streaming = %v", s)
	}
	wantShape(t, "registrations", obj["registrations"].(map[string]any), map[string]string{
		"enabled": "boolean", "approval_required": "boolean", "message": "null",
	})
	wantShape(t, "contact", obj["contact"].(map[string]any), map[string]string{"email": "string", "account": "null"})
	if obj["version"] != compatVersion+" (compatible; Starling test)" {
		t.Errorf("version = %v", obj["version"])
	}
	// Before Mastodon 4.3 there is no api_versions; from then on it must
	// say what advertised_test.go walks.
	if av, ok := obj["api_versions"]; ok != (compatAPIVersion > 0) {
		t.Errorf("api_versions = %v with compatAPIVersion %d", av, compatAPIVersion)
	}
}

// TestInstanceThumbnail: the thumbnail is a real absolute URL (Ice Cubes
// drops an instance whose thumbnail.url is ""), the bundled image unless
// the operator names another, and that URL answers with a PNG.
func TestInstanceThumbnail(t *testing.T) {
	e := newTestEnv(t)
	thumb := decodeObject(t, e.get("/api/v2/instance", ""))["thumbnail"].(map[string]any)["url"].(string)
	if thumb != testBaseURL+thumbnailPath {
		t.Fatalf("thumbnail.url = %q", thumb)
	}
	rec := e.get(strings.TrimPrefix(thumb, testBaseURL), "")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" || !bytes.HasPrefix(rec.Body.Bytes(), pngMagic) {
		t.Errorf("thumbnail: Content-Type %q, body starts %q", ct, rec.Body.Bytes()[:min(8, rec.Body.Len())])
	}

	own := New(e.svc, Options{BaseURL: testBaseURL, Instance: InstanceInfo{Thumbnail: "https://cdn.example/banner.png"}})
	r := chi.NewRouter()
	own.Routes(r)
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/instance", nil))
	if got := decodeObject(t, rec)["thumbnail"]; got != "https://cdn.example/banner.png" {
		t.Errorf("with --instance-thumbnail: thumbnail = %v", got)
	}
}

func TestAppVerifyCredentials(t *testing.T) {
	e := newTestEnv(t)
	_, userTok := e.user("alice", "read")
	for name, tok := range map[string]string{"user": userTok, "app": e.appToken("read")} {
		rec := e.get("/api/v1/apps/verify_credentials", tok)
		wantStatus(t, rec, http.StatusOK)
		obj := decodeObject(t, rec)
		if obj["name"] != e.app.Name || obj["id"] != formatID(e.app.ID) {
			t.Errorf("%s token: app = %v", name, obj)
		}
		for _, secret := range []string{"client_id", "client_secret"} {
			if _, ok := obj[secret]; ok {
				t.Errorf("%s token: verify_credentials shows %s", name, secret)
			}
		}
	}
	wantError(t, e.get("/api/v1/apps/verify_credentials", ""), http.StatusUnauthorized)
	wantError(t, e.get("/api/v1/apps/verify_credentials", "nope"), http.StatusUnauthorized)
}
