package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStager: both kinds of verified copy (a sealed memfd where the
// platform allows it, a file in the private directory otherwise) run only
// the pinned bytes, are reused while the installed file is the same, and
// are made again, and refused, when it changed.
func TestStager(t *testing.T) {
	for _, tc := range []struct {
		name   string
		noSeal bool
	}{{"sealed", false}, {"file", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "plugin")
			if err := os.WriteFile(src, []byte("#!/bin/sh\necho version one\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			want, err := fileSHA256(src)
			if err != nil {
				t.Fatal(err)
			}
			execDir, err := newExecDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s := newStager(execDir)
			s.noSeal = tc.noSeal
			t.Cleanup(s.close)

			p1, err := s.stage(src, want)
			if err != nil {
				if errors.Is(err, errSealUnsupported) {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			sealed := strings.HasPrefix(p1, "/proc/self/fd/")
			if tc.noSeal && sealed {
				t.Fatalf("file mode staged %s", p1)
			}
			if !tc.noSeal && !sealed {
				t.Skipf("this system cannot seal memfds (staged %s); the host falls back to file copies", p1)
			}
			if got, err := fileSHA256(p1); err != nil || got != want {
				t.Fatalf("staged copy hashes to %s (%v), want %s", got, err, want)
			}
			if sealed {
				// The kernel refuses writes to a sealed copy, to its owner too.
				if f, err := os.OpenFile(p1, os.O_WRONLY, 0); err == nil {
					_, werr := f.Write([]byte("evil"))
					f.Close()
					if werr == nil {
						t.Fatal("wrote to a sealed copy")
					}
				}
			}
			p2, err := s.stage(src, want)
			if err != nil || p2 != p1 {
				t.Fatalf("second stage of the same file: %s, %v; want %s reused", p2, err, p1)
			}

			// The installed file changes (a new inode): copied again, and
			// refused because it no longer matches the pin.
			evil := filepath.Join(dir, ".evil")
			if err := os.WriteFile(evil, []byte("#!/bin/sh\necho evil\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(evil, src); err != nil {
				t.Fatal(err)
			}
			if _, err := s.stage(src, want); !errors.Is(err, errHashMismatch) {
				t.Fatalf("stage of a replaced binary: %v, want a hash mismatch", err)
			}
		})
	}
}
