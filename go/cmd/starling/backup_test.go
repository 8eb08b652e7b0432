package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteBackupFiles: the archive holds the database snapshot and the
// data dir's other files, but not the live database with its WAL; of the
// index snapshot, only the generation its meta file names (not an older
// one a save has not removed yet, nor a file being written).
func TestWriteBackupFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"starling.db": "live", "starling.db-wal": "wal", "media/ab/f.bin": "media",
		"index/statuses.json": `{"generation": 7}`, "index/statuses-7.ids": "ids", "index/statuses-7.vsi": "vsi",
		"index/statuses-5.ids": "old", "index/statuses.json.tmp-42": "half",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := os.WriteFile(snap, []byte("copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	n, indexErr, err := writeBackup(out, snap, dir, filepath.Join(dir, "starling.db"))
	if err != nil || indexErr != nil {
		t.Fatal(err, indexErr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	slices.Sort(names)
	want := []string{"index/statuses-7.ids", "index/statuses-7.vsi", "index/statuses.json", "media/ab/f.bin", "starling.db"}
	if !slices.Equal(names, want) || n != 4 {
		t.Errorf("archive holds %q (%d other files), want %q", names, n, want)
	}
}

// TestWriteBackupSkipsAHalfSnapshot: a meta file naming a generation
// whose files are gone is left out of the backup with the reason, rather
// than archived as a snapshot that cannot load; the database still is.
func TestWriteBackupSkipsAHalfSnapshot(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "index"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index", "statuses.json"), []byte(`{"generation": 9}`), 0o600); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := os.WriteFile(snap, []byte("copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, indexErr, err := writeBackup(filepath.Join(t.TempDir(), "b.tar.gz"), snap, dir, filepath.Join(dir, "starling.db"))
	if err != nil || indexErr == nil || n != 0 {
		t.Fatalf("backup with the index generation's files missing: %d files, index %v, err %v", n, indexErr, err)
	}
}
