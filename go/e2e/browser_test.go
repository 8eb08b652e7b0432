package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// browserReport is what the browser app (go/e2e/mastojs/browser/app.js)
// reports through its driver.
type browserReport struct {
	OK             bool       `json:"ok"`
	Steps          []string   `json:"steps"`
	Error          string     `json:"error"`
	Username       string     `json:"username"`
	HomePages      [][]string `json:"homePages"`
	Posted         []string   `json:"posted"`
	Streamed       string     `json:"streamed"`
	Notifications  []string   `json:"notifications"`
	AvatarWidth    int        `json:"avatarWidth"`
	ThumbnailWidth int        `json:"thumbnailWidth"`
	AfterRevoke    any        `json:"afterRevoke"`
	Attached       struct {
		StatusID     string `json:"statusId"`
		MediaID      string `json:"mediaId"`
		URL          string `json:"url"`
		Description  string `json:"description"`
		Width        int    `json:"width"`
		PreviewWidth int    `json:"previewWidth"`
	} `json:"attached"`
}

// TestBrowserApp runs a browser app in Debian's Chromium against the real
// binary: a page served from another origin uses masto.js to register an
// app, log in with the authorization code and PKCE through a popup, page
// home by the Link header, post, receive the post over the WebSocket, read
// notifications, show the default images, attach a picture (uploaded with
// fetch and FormData, as web clients do) to a post and show it, and log
// out. Every request it
// makes crosses origins, so each step also checks CORS. `make test`
// (test-e2e-deps) installs Chromium, playwright-core and masto.js and
// bundles masto.js for the browser, and requires this test to run.
func TestBrowserApp(t *testing.T) {
	dir, node := nodePackages(t, "masto", "playwright-core")
	chromium := os.Getenv("STARLING_TEST_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	pageDir := filepath.Join(dir, "browser")
	for _, need := range []string{chromium, filepath.Join(pageDir, "masto.js")} {
		if _, err := os.Stat(need); err != nil {
			missingClient(t, "%s missing: %v", need, err)
		}
	}

	s := startServer(t, t.TempDir())
	bob, seeded := seedBrowserData(t, s)

	// The app's own origin: another port on the same host, as a web client
	// is on its own domain.
	page := httptest.NewServer(http.FileServer(http.Dir(pageDir)))
	t.Cleanup(page.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "browser.mjs"))
	cmd.Env = append(os.Environ(), "STARLING_URL="+s.base, "PAGE_URL="+page.URL,
		"STARLING_USER=alice", "STARLING_PASSWORD=correct horse battery", "CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser: %v\nstdout: %s\nstderr: %s\nserver log:\n%s", err, stdout.String(), stderr.String(), s.logs)
	}
	var rep browserReport
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &rep); err != nil {
		t.Fatalf("browser report %q: %v\nstderr: %s", stdout.String(), err, stderr.String())
	}
	t.Logf("browser steps: %v", rep.Steps)

	if rep.Username != "alice" {
		t.Errorf("logged in as %q, want alice", rep.Username)
	}
	// Home: alice's three statuses, newest first, two to a page: the
	// second page is reachable only through the exposed Link header.
	if len(rep.HomePages) < 2 {
		t.Fatalf("home pages %v: the paginator stopped after %d page(s): is Link exposed?", rep.HomePages, len(rep.HomePages))
	}
	var home []string
	for _, p := range rep.HomePages {
		home = append(home, p...)
	}
	if wantHome := []string{seeded[2], seeded[1], seeded[0]}; !slices.Equal(home, wantHome) || len(rep.HomePages[0]) != 2 {
		t.Errorf("home = %v (pages %v), want %v in pages of 2", home, rep.HomePages, wantHome)
	}
	if rep.Streamed == "" || !slices.Contains(rep.Posted, rep.Streamed) {
		t.Errorf("streamed %q, posted %v: the browser's own post did not arrive over the WebSocket", rep.Streamed, rep.Posted)
	}
	slices.Sort(rep.Notifications)
	if want := []string{"follow:" + bob, "mention:" + bob}; !slices.Equal(rep.Notifications, want) {
		t.Errorf("notifications = %v, want %v", rep.Notifications, want)
	}
	if rep.AvatarWidth < 100 || rep.ThumbnailWidth < 100 {
		t.Errorf("avatar %dpx, thumbnail %dpx wide: the default images did not load", rep.AvatarWidth, rep.ThumbnailWidth)
	}
	if rep.AfterRevoke != float64(http.StatusUnauthorized) {
		t.Errorf("after revoking: %v, want a readable 401", rep.AfterRevoke)
	}
	// The posts are really stored, as the app saw them.
	var got []status
	s.must(s.do("GET", "/api/v1/accounts/"+aliceID(t, s)+"/statuses?limit=40", "", nil), http.StatusOK).decode(t, &got)
	if len(got) != len(seeded)+len(rep.Posted)+1 {
		t.Errorf("alice has %d statuses, want %d seeded + %d posted + 1 with a picture from the browser", len(got), len(seeded), len(rep.Posted))
	}
	checkBrowserPicture(t, s, rep)
}

// checkBrowserPicture checks the status the browser posted with a picture:
// stored with its attachment and description, the file served as an
// image, and shown in the page at its size (320 wide) and as a preview.
func checkBrowserPicture(t *testing.T, s *server, rep browserReport) {
	t.Helper()
	a := rep.Attached
	if a.StatusID == "" {
		t.Fatal("the browser posted no picture")
	}
	var st struct {
		MediaAttachments []struct {
			ID          string `json:"id"`
			Type        string `json:"type"`
			URL         string `json:"url"`
			Description string `json:"description"`
		} `json:"media_attachments"`
	}
	s.must(s.do("GET", "/api/v1/statuses/"+a.StatusID, "", nil), http.StatusOK).decode(t, &st)
	if len(st.MediaAttachments) != 1 || st.MediaAttachments[0].ID != a.MediaID || st.MediaAttachments[0].Type != "image" ||
		st.MediaAttachments[0].Description != "A gradient from the browser" {
		t.Fatalf("the browser's status has media %+v, want its one picture (%s)", st.MediaAttachments, a.MediaID)
	}
	file := s.must(s.raw("GET", st.MediaAttachments[0].URL, "", "", nil, nil), http.StatusOK)
	if ct := file.header.Get("Content-Type"); ct != "image/jpeg" || len(file.body) == 0 {
		t.Errorf("the picture is served as %q, %d bytes", ct, len(file.body))
	}
	if a.Width != 320 || a.PreviewWidth < 1 {
		t.Errorf("the page showed the picture %dpx and its preview %dpx wide, want 320 and some", a.Width, a.PreviewWidth)
	}
}

// seedBrowserData makes alice (who logs in from the browser) with three
// statuses, and bob, who follows and mentions her. It returns bob's
// username and alice's status IDs, oldest first.
func seedBrowserData(t *testing.T, s *server) (bob string, statuses []string) {
	t.Helper()
	_, appTok := newApp(t, s)
	aliceTok := register(t, s, appTok, "alice")
	bobTok := register(t, s, appTok, "bob")
	for _, text := range []string{"first", "second", "third"} {
		var st status
		s.must(s.do("POST", "/api/v1/statuses", aliceTok, url.Values{"status": {text}}), http.StatusOK).decode(t, &st)
		statuses = append(statuses, st.ID)
	}
	s.must(s.do("POST", "/api/v1/accounts/"+aliceID(t, s)+"/follow", bobTok, nil), http.StatusOK)
	s.must(s.do("POST", "/api/v1/statuses", bobTok, url.Values{"status": {"@alice hello from bob"}, "visibility": {"unlisted"}}), http.StatusOK)
	return "bob", statuses
}

// aliceID looks alice's account up.
func aliceID(t *testing.T, s *server) string {
	t.Helper()
	var a account
	s.must(s.do("GET", "/api/v1/accounts/lookup?acct=alice", "", nil), http.StatusOK).decode(t, &a)
	return a.ID
}
