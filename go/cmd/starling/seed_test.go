package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedCommand seeds a small instance, then refuses to seed it again
// and refuses bad flags before touching anything.
func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "posts.tsv")
	var b strings.Builder
	b.WriteString("row\tsource\ttext\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d\tsrc%d\tsome post number %d about gardening and bread\n", i, i/100, i)
	}
	if err := os.WriteFile(corpus, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	seed := func(extra ...string) (string, error) {
		var out, errOut bytes.Buffer
		args := append([]string{"seed", "--data-dir", data, "--corpus", corpus, "--accounts", "50", "--statuses", "300",
			"--embedder", "hash"}, extra...)
		err := run(t.Context(), args, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	for name, flags := range map[string][]string{
		"negative accounts": {"--accounts", "-1"},
		"one account":       {"--accounts", "1"},
		"huge statuses":     {"--statuses", "1000000000"},
		"zero batch":        {"--batch", "0"},
		"short password":    {"--password", "short"},
		"unknown embedder":  {"--embedder", "magic"},
		"NaN follows":       {"--follows", "NaN"},
	} {
		if out, err := seed(flags...); err == nil {
			t.Errorf("%s: accepted: %s", name, out)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "seed.json")); err == nil {
		t.Fatal("a refused seed wrote seed.json")
	}
	out, err := seed("--password", "correct-horse-battery")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	var m seedManifest
	raw, err := os.ReadFile(filepath.Join(data, "seed.json"))
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("seed.json: %v %s", err, raw)
	}
	if m.Accounts != 50 || m.Statuses != 300 || len(m.Usernames) != 50 || m.Follows == 0 || !strings.HasPrefix(m.Embedder, "hash-") {
		t.Errorf("seed.json: %+v", m)
	}
	if out, err := seed(); err == nil || !strings.Contains(err.Error(), "already has") {
		t.Errorf("second seed into the same data dir: %v\n%s", err, out)
	}
}
