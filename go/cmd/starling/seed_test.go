package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/seed"
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
	seedCmd := func(extra ...string) (string, error) {
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
		if out, err := seedCmd(flags...); err == nil {
			t.Errorf("%s: accepted: %s", name, out)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "seed.json")); err == nil {
		t.Fatal("a refused seed wrote seed.json")
	}
	out, err := seedCmd("--password", "correct-horse-battery")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	m, err := seed.ReadManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accounts != 50 || m.Statuses != 300 || len(m.Usernames) != 50 || m.Follows == 0 || !strings.HasPrefix(m.Embedder, "hash-") {
		t.Errorf("seed.json: %+v", m)
	}
	if out, err := seedCmd(); err == nil || !strings.Contains(err.Error(), "already has") {
		t.Errorf("second seed into the same data dir: %v\n%s", err, out)
	}
}

// TestSeedGraph seeds a given mutual graph (--graph, a directory holding
// edges.csv) and refuses a missing or malformed graph, huge IDs and the
// flags the graph replaces, before touching the data dir.
func TestSeedGraph(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "posts.tsv")
	var b strings.Builder
	b.WriteString("row\tsource\ttext\n")
	for i := range 50 {
		fmt.Fprintf(&b, "%d\tsrc\tpost %d about the graph\n", i, i)
	}
	graphDir := filepath.Join(dir, "graph")
	files := map[string]string{
		corpus:                               b.String(),
		filepath.Join(graphDir, "edges.csv"): "id_1,id_2\n0,1\n0,2\n0,3\n2,3\n",
		filepath.Join(dir, "bad.csv"):        "id_1,id_2\n0,1\n2;3\n",
		filepath.Join(dir, "huge.csv"):       "0,1\n1,4294967296\n",
		filepath.Join(dir, "self.csv"):       "0,1\n2,2\n",
		filepath.Join(dir, "nul.csv"):        "0,1\n2\x00,3\n",
		filepath.Join(dir, "empty.csv"):      "id_1,id_2\n",
	}
	if err := os.MkdirAll(graphDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	seedCmd := func(extra ...string) (string, error) {
		var out, errOut bytes.Buffer
		args := append([]string{"seed", "--data-dir", data, "--corpus", corpus, "--statuses", "40", "--embedder", "none"}, extra...)
		err := run(t.Context(), args, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	for name, flags := range map[string][]string{
		"missing file":          {"--graph", filepath.Join(dir, "nope.csv")},
		"malformed line":        {"--graph", filepath.Join(dir, "bad.csv")},
		"huge ID":               {"--graph", filepath.Join(dir, "huge.csv")},
		"self-loop":             {"--graph", filepath.Join(dir, "self.csv")},
		"NUL byte":              {"--graph", filepath.Join(dir, "nul.csv")},
		"no edges":              {"--graph", filepath.Join(dir, "empty.csv")},
		"dir without edges.csv": {"--graph", dir},
		"with --accounts":       {"--graph", graphDir, "--accounts", "4"},
		"with --follows":        {"--graph", graphDir, "--follows", "3"},
	} {
		if out, err := seedCmd(flags...); err == nil {
			t.Errorf("%s: accepted: %s", name, out)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "seed.json")); err == nil {
		t.Fatal("a refused seed wrote seed.json")
	}
	if out, err := seedCmd("--graph", graphDir); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	m, err := seed.ReadManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accounts != 4 || m.Follows != 8 || m.Statuses != 40 || len(m.Usernames) != 4 || m.Graph != graphDir ||
		len(m.Top) != 4 || !slices.Equal(m.TopFollowers, []int{3, 2, 2, 1}) || m.Top[0] != m.Usernames[0] {
		t.Errorf("seed.json: %+v", m)
	}
}
