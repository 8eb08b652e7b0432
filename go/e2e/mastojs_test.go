package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMastoJS drives the real server with masto.js (go/e2e/mastojs), the
// client library many Mastodon apps use. If masto.js and Starling disagree,
// Starling changes, not the test. `make test` installs the package from the
// npm registry (npm ci), sets STARLING_TEST_MASTOJS and requires the test to
// run (STARLING_TEST_MASTOJS_REQUIRED); elsewhere, without Node or the
// installed package, it skips and says why.
func TestMastoJS(t *testing.T) {
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("STARLING_TEST_MASTOJS_REQUIRED") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (`make test-e2e-deps` installs masto.js; `make test` does and requires it)")
	}
	dir := os.Getenv("STARLING_TEST_MASTOJS")
	if dir == "" {
		missing("STARLING_TEST_MASTOJS not set")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "masto")); err != nil {
		missing("masto.js not installed in %s: %v", dir, err)
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
