package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMastoJS drives the real server with masto.js (go/e2e/mastojs), the
// client library many Mastodon apps use. If masto.js and Starling disagree,
// Starling changes, not the test. `make test` installs the package from the
// npm registry (npm ci) and sets STARLING_TEST_MASTOJS.
func TestMastoJS(t *testing.T) {
	dir := os.Getenv("STARLING_TEST_MASTOJS")
	if dir == "" {
		t.Skip("STARLING_TEST_MASTOJS not set: run `make test`, which installs masto.js with npm first")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "masto")); err != nil {
		t.Fatalf("masto.js not installed in %s (run `make test`): %v", dir, err)
	}
	s := startServer(t, t.TempDir())
	cmd := exec.Command(node, filepath.Join(dir, "flow.mjs"))
	cmd.Env = append(os.Environ(), "STARLING_URL="+s.base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("masto.js flow: %v\n%s\nserver log:\n%s", err, out, s.logs)
	}
	t.Logf("%s", out)
}
