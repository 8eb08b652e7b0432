package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the server's own database file, for the scheduled test
)

// missingClient skips a real-client test whose tools are not installed,
// and fails it under `make test`, which installs them and requires the test
// to run (STARLING_TEST_MASTOJS_REQUIRED).
func missingClient(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("STARLING_TEST_MASTOJS_REQUIRED") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (`make test-e2e-deps` installs the real clients; `make test` does and requires them)")
}

// nodePackages returns the directory of the npm packages `make test`
// installs (STARLING_TEST_MASTOJS: masto.js, megalodon, playwright-core)
// and the node binary, after checking that each of pkgs is installed.
func nodePackages(t *testing.T, pkgs ...string) (dir, node string) {
	t.Helper()
	dir = os.Getenv("STARLING_TEST_MASTOJS")
	if dir == "" {
		missingClient(t, "STARLING_TEST_MASTOJS not set")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missingClient(t, "node not found: %v", err)
	}
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", p)); err != nil {
			missingClient(t, "%s not installed in %s: %v", p, dir, err)
		}
	}
	return dir, node
}

// runNode runs one of the scripts in dir against s with env added, and
// fails the test with its output and the server's log if it fails.
func runNode(t *testing.T, s *server, node, script string, env ...string) {
	t.Helper()
	cmd := exec.Command(node, script)
	cmd.Env = append(append(os.Environ(), "STARLING_URL="+s.base), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s\nserver log:\n%s", filepath.Base(script), err, out, s.logs)
	}
	t.Logf("%s", out)
}

// runNodeOutput is runNode, returning what the script printed on stdout.
func runNodeOutput(t *testing.T, s *server, node, script string, env ...string) string {
	t.Helper()
	cmd := exec.Command(node, script)
	cmd.Env = append(append(os.Environ(), "STARLING_URL="+s.base), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s\nserver log:\n%s", filepath.Base(script), err, stdout.String(), stderr.String(), s.logs)
	}
	t.Logf("%s", stderr.String())
	return stdout.String()
}

// TestMastoJS drives the real server with masto.js (go/e2e/mastojs), the
// client library many Mastodon apps use. If masto.js and Starling disagree,
// Starling changes, not the test.
func TestMastoJS(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	runNode(t, s, node, filepath.Join(dir, "flow.mjs"))
}

// TestMastoJSFiltersConversations drives filters (a filtered status
// carries filtered) and conversations with the direct stream through
// masto.js (go/e2e/mastojs/filters.mjs).
func TestMastoJSFiltersConversations(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	runNode(t, s, node, filepath.Join(dir, "filters.mjs"))
}

// TestMastoJSForYou drives the virtual "For you" list through masto.js
// (go/e2e/mastojs/foryou.mjs): listed, read, paged, never the viewer's own
// or favourited statuses, and read-only.
func TestMastoJSForYou(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	runNode(t, s, node, filepath.Join(dir, "foryou.mjs"))
}

// TestMegalodon drives the real server with megalodon (go/e2e/mastojs
// megalodon.mjs), the library under Whalebird and Fedistar: it must detect
// Starling as Mastodon from NodeInfo, or those apps cannot add an account.
func TestMegalodon(t *testing.T) {
	dir, node := nodePackages(t, "megalodon")
	s := startServer(t, t.TempDir())
	_, appTok := newApp(t, s)
	runNode(t, s, node, filepath.Join(dir, "megalodon.mjs"), "STARLING_TOKEN="+register(t, s, appTok, "whale"))
}

// TestMastoJSMedia drives the compose flow of a photograph with masto.js
// (go/e2e/mastojs media.mjs): upload, describe, post, read back in home
// and only_media, and fetch the served file, whose EXIF GPS tag is gone;
// then change the avatar and the profile fields.
func TestMastoJSMedia(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	_, appTok := newApp(t, s)
	photo := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(photo, realPhotoWithGPS(t), 0o600); err != nil {
		t.Fatal(err)
	}
	runNode(t, s, node, filepath.Join(dir, "media.mjs"),
		"STARLING_TOKEN="+register(t, s, appTok, "photographer"), "STARLING_PHOTO="+photo)
}

// TestMastoJSPolls drives a poll through masto.js (go/e2e/mastojs
// polls.mjs): posted by one account, voted in by a second (a second vote
// refused), read back by both with votes_count, own_votes and voted, and
// hidden totals hidden.
func TestMastoJSPolls(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	_, appTok := newApp(t, s)
	runNode(t, s, node, filepath.Join(dir, "polls.mjs"),
		"STARLING_TOKEN="+register(t, s, appTok, "pollster"), "STARLING_VOTER_TOKEN="+register(t, s, appTok, "voter"))
}

// TestMastoJSScheduled drives a scheduled post through masto.js
// (go/e2e/mastojs scheduled.mjs) and the real scheduler: scheduled an hour
// ahead with a photo, it is published once the test moves its time into
// the past in the server's own SQLite file (clients must stay 5 minutes
// ahead; the scheduler takes what is due), and masto.js sees the list
// empty and the status in home exactly once. --scheduler-interval only
// makes the scheduler look more often.
func TestMastoJSScheduled(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	dataDir := t.TempDir()
	s := startServer(t, dataDir, "--scheduler-interval", "100ms")
	_, appTok := newApp(t, s)
	tok := register(t, s, appTok, "planner")
	photo := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(photo, photoWithGPS(t, 640, 480), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "scheduled.mjs")
	out := runNodeOutput(t, s, node, script, "STARLING_TOKEN="+tok, "STARLING_STEP=schedule", "STARLING_PHOTO="+photo)
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("scheduled.mjs printed %q, want the scheduled status's ID", out)
	}

	// Time passes: an hour is made to have gone by, in the running
	// server's database (the busy timeout waits out its writer).
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "starling.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE scheduled_statuses SET scheduled_at = ? WHERE id = ?`, time.Now().Add(-time.Second).UnixMicro(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("moved %d scheduled statuses (%v), want 1", n, err)
	}
	runNode(t, s, node, script, "STARLING_TOKEN="+tok, "STARLING_STEP=published", "STARLING_SCHEDULED="+strconv.FormatInt(id, 10))
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM scheduled_statuses`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d scheduled statuses left (%v)", left, err)
	}
}
