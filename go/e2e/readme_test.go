package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeWalkthrough runs the README's curl walk-through verbatim (only
// the BASE line points at this test's server) so the documentation cannot
// drift from the server.
func TestReadmeWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	s := startServer(t, t.TempDir())
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- walkthrough:begin -->\\s*```sh\\n(.*?)```\\s*<!-- walkthrough:end -->").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README has no walkthrough block")
	}
	script := string(block[1])
	const base = "BASE=http://127.0.0.1:8080\n"
	if !strings.HasPrefix(script, base) {
		t.Fatalf("walkthrough must start with %q", base)
	}
	script = "set -e\nBASE=" + s.base + "\n" + strings.TrimPrefix(script, base)
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s\nserver log:\n%s", err, out, s.logs)
	}
	for _, want := range []string{
		`"following":true`,                       // step 4
		`Fresh sourdough out of the oven`,        // step 5
		`"error":"Validation failed: the status`, // step 5, refused by wordfilter
		`rel="next"`,                             // step 6, Link header
		`Planted tomatoes on the balcony`,        // step 6, newest first
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %q:\n%s", want, out)
		}
	}
	// Step 7's answer is the last line: the search must find the sourdough post.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `"statuses":[{`) || !strings.Contains(last, "sourdough") {
		t.Errorf("search step found nothing: %s", last)
	}
}
