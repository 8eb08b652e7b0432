package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

// maxBinary bounds how much of a plugin binary the host reads into memory to
// verify it. Go plugins are tens of megabytes.
const maxBinary = 1 << 30

// errHashMismatch marks a binary whose SHA-256 is not the pinned one.
var errHashMismatch = errors.New("sha256 mismatch")

// stager closes the hash-then-exec race. go-plugin's SecureConfig hashes
// the binary by path and later executes the path again, so a binary renamed
// into place in between ran unverified. Instead the host copies the binary
// into a directory only the server's user can write (mode 0700), hashing
// exactly the bytes it copies, refuses the copy unless the hash is the
// pinned one, and then hashes the copy itself again right before it is
// executed: the file that runs is a file that was verified, whatever
// happens to the installed binary meanwhile.
//
// Verified copies are kept by hash and reused while the installed file is
// the same file (device, inode, size and modification time unchanged), so a
// restart after a crash, or a swap back to a version run before, re-hashes
// only the private copy instead of copying again.
type stager struct {
	dir string

	mu     sync.Mutex
	staged map[string]fileID // sha256 -> identity of the installed file it was copied from
}

// fileID identifies an installed binary without reading it.
type fileID struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

func newStager(dir string) *stager { return &stager{dir: dir, staged: map[string]fileID{}} }

// stage returns the path of a verified private copy of src whose SHA-256
// is wantHex.
func (s *stager) stage(src, wantHex string) (string, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", src)
	}
	id := identify(fi)
	staged := filepath.Join(s.dir, wantHex)
	s.mu.Lock()
	known, ok := s.staged[wantHex]
	s.mu.Unlock()
	if !ok || known != id {
		if err := s.copyVerified(src, wantHex, staged); err != nil {
			return "", err
		}
		s.mu.Lock()
		s.staged[wantHex] = id
		s.mu.Unlock()
	}
	// The copy itself, right before it runs.
	got, err := fileSHA256(staged)
	if err != nil {
		return "", err
	}
	if got != wantHex {
		_ = os.Remove(staged)
		s.mu.Lock()
		delete(s.staged, wantHex)
		s.mu.Unlock()
		return "", fmt.Errorf("%w: the private copy of %s changed (sha256 %s); refusing to run it", errHashMismatch, src, got)
	}
	return staged, nil
}

// copyVerified copies src to staged through a temporary file, hashing the
// bytes copied, and renames it into place only if they match wantHex.
func (s *stager) copyVerified(src, wantHex, staged string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(s.dir, ".stage-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = out.Close()
			_ = os.Remove(out.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(in, maxBinary+1))
	if err != nil {
		return err
	}
	if n > maxBinary {
		return fmt.Errorf("%s is larger than %d bytes", src, maxBinary)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantHex {
		return fmt.Errorf("%w: %s has sha256 %s, manifest pins %s; refusing to run it", errHashMismatch, src, got, wantHex)
	}
	if err = out.Chmod(0o500); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), staged)
}

// newExecDir creates the private directory staged binaries are run from.
func newExecDir(parent string) (string, error) {
	dir, err := os.MkdirTemp(parent, "starling-plugins-")
	if err != nil {
		return "", fmt.Errorf("policy: plugin exec dir: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("policy: plugin exec dir: %w", err)
	}
	return dir, nil
}

// spawner runs every plugin start on one OS thread that never exits. On
// Linux the plugins get a parent-death signal (Pdeathsig), which the kernel
// sends when the thread that forked them exits, not the process; forking
// from a thread that lives as long as the server means the signal comes
// exactly when the server dies, kill -9 included.
type spawner struct {
	reqs chan func()
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan func())}
	go func() {
		// Never unlocked: a goroutine that exits while locked takes its
		// thread with it, which would signal every plugin started here.
		runtime.LockOSThread()
		for fn := range s.reqs {
			fn()
		}
	}()
	return s
}

// do runs fn on the spawner's thread and waits for it.
func (s *spawner) do(fn func()) {
	done := make(chan struct{})
	s.reqs <- func() { defer close(done); fn() }
	<-done
}

// isTextBusy reports an exec that raced another fork holding the staged file
// open for writing (ETXTBSY); trying again succeeds once that child execs.
func isTextBusy(err error) bool {
	return errors.Is(err, syscall.ETXTBSY)
}
