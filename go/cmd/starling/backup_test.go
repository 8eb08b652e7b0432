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
// data dir's other files, but not the live database with its WAL, nor a
// file an index save is still writing (atomic rename pending).
func TestWriteBackupFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"starling.db": "live", "starling.db-wal": "wal", "media/ab/f.bin": "media",
		"index/statuses.json": "{}", "index/statuses-1.ids": "ids", "index/statuses.json.tmp-42": "half",
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
	n, err := writeBackup(out, snap, dir, filepath.Join(dir, "starling.db"))
	if err != nil {
		t.Fatal(err)
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
	want := []string{"index/statuses-1.ids", "index/statuses.json", "media/ab/f.bin", "starling.db"}
	if !slices.Equal(names, want) || n != 3 {
		t.Errorf("archive holds %q (%d other files), want %q", names, n, want)
	}
}
