package seed

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A manifest reads back as written; one a bench cannot use is refused.
func TestManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	m := &Manifest{Accounts: 3, Statuses: 9, Graph: "edges.csv", Usernames: []string{"a", "b"},
		Top: []string{"b", "a"}, TopFollowers: []int{2, 1}}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(dir)
	if err != nil || got.Accounts != 3 || got.Graph != "edges.csv" || !slices.Equal(got.Top, m.Top) ||
		!slices.Equal(got.TopFollowers, m.TopFollowers) {
		t.Fatalf("read %+v, %v; want %+v", got, err, m)
	}
	for name, body := range map[string]string{
		"not JSON":     "{",
		"no usernames": `{"accounts": 3}`,
		"top mismatch": `{"usernames": ["a"], "top_usernames": ["a"], "top_followers": []}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadManifest(dir); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
	if _, err := ReadManifest(t.TempDir()); err == nil {
		t.Error("a dir without a manifest was read")
	}
}
