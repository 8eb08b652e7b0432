package media

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiskPutOpenDelete(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	key, err := d.Put(ctx, []byte("some bytes"), "png")
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Put(ctx, []byte("some bytes"), "png")
	if err != nil || again != key {
		t.Fatalf("same bytes again = %q, %v; want %q", again, err, key)
	}
	if !ValidKey(key) || !strings.HasSuffix(key, ".png") {
		t.Fatalf("key %q", key)
	}
	want := filepath.Join(dir, key[:2], key[2:4], key)
	if d.Path(key) != want {
		t.Errorf("path %q, want %q", d.Path(key), want)
	}
	f, err := d.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "some bytes" {
		t.Errorf("read back %q", b)
	}
	// No temporary file is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(want))
	if len(entries) != 1 {
		t.Errorf("%d entries in the key's directory, want 1", len(entries))
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(key); !os.IsNotExist(err) {
		t.Errorf("open after delete: %v", err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing file: %v", err)
	}
	for _, bad := range []string{"../../etc/passwd", "", strings.Repeat("a", 64) + ".gif", strings.Repeat("A", 64) + ".png",
		strings.Repeat("a", 64) + ".png/../x"} {
		if _, err := d.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
		if err := d.Delete(ctx, bad); err == nil {
			t.Errorf("Delete(%q) succeeded", bad)
		}
	}
	if _, err := d.Put(ctx, []byte("x"), "exe"); err == nil {
		t.Error("Put with extension exe succeeded")
	}
}
