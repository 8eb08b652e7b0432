package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nodePackages returns the directory of the npm packages `make test`
// installs (STARLING_TEST_MASTOJS: masto.js, megalodon, playwright-core)
// and the node binary, after checking that each of pkgs is installed. Run
// outside make, the tests that need them skip and say why.
func nodePackages(t *testing.T, pkgs ...string) (dir, node string) {
	t.Helper()
	dir = os.Getenv("STARLING_TEST_MASTOJS")
	if dir == "" {
		t.Skip("STARLING_TEST_MASTOJS not set: run `make test`, which installs the client packages with npm first")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found: %v", err)
	}
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", p)); err != nil {
			t.Fatalf("%s not installed in %s (run `make test`): %v", p, dir, err)
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

// TestMastoJS drives the real server with masto.js (go/e2e/mastojs), the
// client library many Mastodon apps use. If masto.js and Starling disagree,
// Starling changes, not the test. `make test` installs the package from the
// npm registry (npm ci) and sets STARLING_TEST_MASTOJS.
func TestMastoJS(t *testing.T) {
	dir, node := nodePackages(t, "masto")
	s := startServer(t, t.TempDir())
	runNode(t, s, node, filepath.Join(dir, "flow.mjs"))
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
