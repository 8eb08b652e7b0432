package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestHonestInstance(t *testing.T) {
	honestInstance(t, t.TempDir())
}

// TestHonestInstancePostgres runs the same checks with the server on the
// real PostgreSQL (STARLING_TEST_PG), in a schema of its own.
func TestHonestInstancePostgres(t *testing.T) {
	honestInstance(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

// honestInstance checks, against the real binary, what a client learns
// about the server before and while using it: the advertised version and
// images, NodeInfo counts from the store, CORS preflights outside the rate
// limit, and parameters that are refused rather than dropped, leaving the
// store unchanged.
func honestInstance(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, append(extra, "--rate-limit", "20")...)

	// Preflights, more than the limit, come first: they are answered and
	// never counted, so this client's first real request has its whole
	// allowance.
	for range 25 {
		req, _ := http.NewRequest(http.MethodOptions, s.base+"/api/v1/statuses", nil)
		req.Header.Set("Origin", "http://app.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			resp.Header.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	}
	if r := s.do("GET", "/api/v1/timelines/public", "", nil); r.header.Get("X-RateLimit-Remaining") != "19" {
		t.Errorf("after 25 preflights: X-RateLimit-Remaining %q, want 19", r.header.Get("X-RateLimit-Remaining"))
	}

	_, appTok := newApp(t, s)
	alice := register(t, s, appTok, "alice")
	s.must(s.do("POST", "/api/v1/statuses", alice, url.Values{"status": {"hello"}}), http.StatusOK)

	var inst struct {
		Version     string         `json:"version"`
		APIVersions map[string]int `json:"api_versions"`
		Thumbnail   struct {
			URL string `json:"url"`
		} `json:"thumbnail"`
	}
	s.must(s.do("GET", "/api/v2/instance", "", nil), http.StatusOK).decode(t, &inst)
	if !strings.HasPrefix(inst.Version, "2.4.3 (compatible; Starling ") || inst.APIVersions["mastodon"] != 2 {
		t.Errorf("version %q, api_versions %v", inst.Version, inst.APIVersions)
	}
	var me struct {
		Avatar string `json:"avatar"`
		Header string `json:"header"`
	}
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", alice, nil), http.StatusOK).decode(t, &me)
	for _, img := range []string{inst.Thumbnail.URL, me.Avatar, me.Header} {
		r := s.must(s.do("GET", img, "", nil), http.StatusOK)
		if !strings.HasPrefix(img, s.base+"/") || r.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.body, []byte("\x89PNG")) {
			t.Errorf("%s: Content-Type %q", img, r.header.Get("Content-Type"))
		}
	}

	// NodeInfo, found as megalodon finds it, counts what the store holds.
	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	s.must(s.do("GET", "/.well-known/nodeinfo", "", nil), http.StatusOK).decode(t, &links)
	if len(links.Links) == 0 {
		t.Fatal("no NodeInfo link")
	}
	var ni struct {
		Software struct{ Name string } `json:"software"`
		Usage    struct {
			Users struct {
				Total int `json:"total"`
			} `json:"users"`
			LocalPosts int `json:"localPosts"`
		} `json:"usage"`
		Metadata struct {
			Upstream struct{ Name string } `json:"upstream"`
		} `json:"metadata"`
	}
	s.must(s.do("GET", links.Links[0].Href, "", nil), http.StatusOK).decode(t, &ni)
	if ni.Software.Name != "starling" || ni.Metadata.Upstream.Name != "mastodon" || ni.Usage.Users.Total != 1 || ni.Usage.LocalPosts != 1 {
		t.Errorf("nodeinfo: %+v", ni)
	}

	// Refused parameters store nothing.
	refused := []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/statuses", map[string]any{"status": "quote", "quoted_status_id": "1"}},
		{"/api/v1/statuses", map[string]any{"status": "later", "scheduled_at": "2030-01-01T00:00:00.000Z", "quoted_status_id": "1"}},
	}
	for _, r := range refused {
		b, _ := json.Marshal(r.body)
		if got := s.doJSON("POST", r.path, alice, json.RawMessage(b)); got.status != http.StatusUnprocessableEntity || !strings.Contains(got.errorText(t), "not supported") {
			t.Errorf("%s %s: %d %s", r.path, b, got.status, got.body)
		}
	}
	patch := s.doJSON("PATCH", "/api/v1/accounts/update_credentials", alice,
		map[string]any{"display_name": "Renamed", "source": map[string]any{"privacy": "private"}})
	if patch.status != http.StatusUnprocessableEntity {
		t.Errorf("update_credentials with source: %d %s", patch.status, patch.body)
	}
	var after struct {
		DisplayName   string `json:"display_name"`
		StatusesCount int    `json:"statuses_count"`
	}
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", alice, nil), http.StatusOK).decode(t, &after)
	if after.DisplayName != "" || after.StatusesCount != 1 {
		t.Errorf("after refused requests: %+v, want no name change and 1 status", after)
	}
}
