package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// FileStore keeps the served files. Keys are what Put returns; URLs are
// the store's base URL joined with the key.
type FileStore interface {
	// Put stores data and returns its key; storing the same bytes twice
	// returns the same key and keeps one file.
	Put(ctx context.Context, data []byte, ext string) (string, error)
	// Delete removes the file under key; a missing file is not an error.
	Delete(ctx context.Context, key string) error
}

// keyPattern is every key Disk makes: the SHA-256 of the bytes and an
// extension. Anything else is never opened, so a path cannot escape dir.
var keyPattern = regexp.MustCompile(`^[0-9a-f]{64}\.(jpg|png)$`)

// ValidKey reports whether key is one Disk can have made.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// Disk is a FileStore under one directory, content-addressed: key
// <sha256>.<ext> lives at <dir>/<first 2 hex>/<next 2 hex>/<key>, so no
// directory grows past 65,536 entries per level.
type Disk struct{ dir string }

// NewDisk returns a Disk under dir, creating it (mode 0750) if needed.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Disk{dir: dir}, nil
}

// Path is where key's file is; "" for a key Disk never makes.
func (d *Disk) Path(key string) string {
	if !ValidKey(key) {
		return ""
	}
	return filepath.Join(d.dir, key[0:2], key[2:4], key)
}

// Put writes data atomically: a temp file in the target directory, synced,
// then renamed over the name, and the directory synced, so the file is
// whole or absent after a crash. An existing file with the key has the
// same bytes and is kept as it is.
func (d *Disk) Put(_ context.Context, data []byte, ext string) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + "." + ext
	p := d.Path(key)
	if p == "" {
		return "", fmt.Errorf("media: put: bad extension %q", ext)
	}
	if _, err := os.Stat(p); err == nil {
		return key, nil
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("media: put: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("media: put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", fmt.Errorf("media: put: %w", err)
	}
	return key, nil
}

// Delete removes key's file. The caller decides that no row names the key
// any more (files are shared by identical uploads).
func (d *Disk) Delete(_ context.Context, key string) error {
	p := d.Path(key)
	if p == "" {
		return fmt.Errorf("media: delete: bad key %q", key)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("media: delete: %w", err)
	}
	return nil
}

// Open opens key's file for serving.
func (d *Disk) Open(key string) (*os.File, error) {
	p := d.Path(key)
	if p == "" {
		return nil, os.ErrNotExist
	}
	return os.Open(p)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
