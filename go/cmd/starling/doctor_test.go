package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the driver, to write what doctor must find

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/store"
)

// TestDoctor runs doctor on a freshly migrated data dir (every check
// passes), then on the same dir with a plugin binary that no longer
// matches its pinned hash, a migration from a newer release and a damaged
// index snapshot: each is reported with what to do, and doctor fails.
func TestDoctor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data-dir", dir}, &out, &out); err != nil {
		t.Fatalf("migrate: %v %s", err, out.String())
	}
	// A manifest pinning one "plugin" binary.
	bin := filepath.Join(dir, "p")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(dir, "template.json")
	if err := os.WriteFile(tmpl, []byte(`{"plugins":[{"name":"p","path":"p","hooks":["check_status"],"enabled":true,"fail_mode":"open","timeout":"1s","version":"1.0.0"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "pinned.json")
	out.Reset()
	if err := run(ctx, []string{"plugins", "pin", "--in", tmpl, "--dir", dir, "--out", manifest}, &out, &out); err != nil {
		t.Fatalf("pin: %v %s", err, out.String())
	}
	// An index snapshot where serve writes it.
	idx, err := search.NewIndex(ctx, search.IndexConfig{Name: "statuses", Dim: 4}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Add([]store.StatusEmbedding{{StatusID: 1, Embedding: []float32{1, 0, 0, 0}},
		{StatusID: 2, Embedding: []float32{0, 1, 0, 0}}}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Save(filepath.Join(dir, "index"), "test-embedder"); err != nil {
		t.Fatal(err)
	}
	idx.Close()

	out.Reset()
	if err := run(ctx, []string{"doctor", "--data-dir", dir, "--plugins", manifest}, &out, &out); err != nil {
		t.Fatalf("doctor on a sound data dir: %v\n%s", err, out.String())
	}
	for _, want := range []string{"ok   schema", "ok   integrity", "ok   index snapshot", "2 vectors of embedder test-embedder", "ok   plugin p", "ok   disk"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out.String())
		}
	}

	if err := os.WriteFile(bin, []byte("#!/bin/sh\n# changed\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, "starling.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ids, _ := filepath.Glob(filepath.Join(dir, "index", "statuses-*.ids"))
	if len(ids) != 1 {
		t.Fatalf("snapshot ID files: %v", ids)
	}
	if err := os.WriteFile(ids[0], make([]byte, 16), 0o644); err != nil { // two zero IDs: the checksum no longer matches
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"doctor", "--data-dir", dir, "--plugins", manifest}, &out, &out)
	if err == nil {
		t.Fatalf("doctor passed a changed plugin, a newer schema and a damaged snapshot:\n%s", out.String())
	}
	for _, want := range []string{"FAIL schema", "9999_from_the_future.sql", "FAIL index snapshot", "checksum", "FAIL plugin p", "-> "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out.String())
		}
	}
}
