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

// errSealUnsupported: this system cannot keep sealed in-memory copies; the
// stager keeps file copies instead.
var errSealUnsupported = errors.New("sealed copies unsupported")

// stager closes the hash-then-exec race. go-plugin's SecureConfig hashes
// the binary by path and later executes the path again, so a binary renamed
// into place in between ran unverified. Instead the host copies the binary,
// hashing exactly the bytes it copies, refuses the copy unless the hash is
// the pinned one, and executes the copy: the file that runs is a file that
// was verified, whatever happens to the installed binary meanwhile.
//
// On Linux the copy is a sealed memfd (sealedCopy), whose content the
// kernel keeps immutable, so it is never hashed again. Elsewhere, or where
// memfds cannot be sealed or executed, it is a file in a directory only the
// server's user can write (mode 0700), hashed again right before each run.
//
// Verified copies are kept by hash and reused while the installed file is
// the same file (device, inode, size and modification time unchanged), so a
// restart after a crash, or a swap back to a version run before, costs no
// copy (and, sealed, no hashing). An installed file that changed is copied
// and verified again, so a tampered binary is refused even if its pinned
// hash has a verified copy. Copies are kept until the host closes: one per
// version run, the size of its binary.
type stager struct {
	dir string

	mu     sync.Mutex
	staged map[string]stagedCopy // by sha256
	noSeal bool                  // sealedCopy failed once; use files
}

// stagedCopy is one verified copy.
type stagedCopy struct {
	from   fileID   // identity of the installed file it was copied from
	sealed *os.File // the sealed memfd, or nil for a file copy
}

// fileID identifies an installed binary without reading it.
type fileID struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

func newStager(dir string) *stager { return &stager{dir: dir, staged: map[string]stagedCopy{}} }

// stage returns the path of a verified copy of src whose SHA-256 is
// wantHex, to execute. The host calls it, and executes the path, on the
// spawner's thread: a sealed copy's path names a descriptor, which keep
// and close only ever close there, so it cannot name another file by the
// time it is executed.
func (s *stager) stage(src, wantHex string) (string, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", src)
	}
	id := identify(fi)
	s.mu.Lock()
	known, ok := s.staged[wantHex]
	noSeal := s.noSeal
	s.mu.Unlock()
	if ok && known.from == id && known.sealed != nil {
		return sealedPath(known.sealed), nil // immutable since it was verified
	}
	if !ok || known.from != id {
		if !noSeal {
			f, err := sealedCopy(src, wantHex)
			switch {
			case err == nil:
				s.keep(wantHex, stagedCopy{from: id, sealed: f})
				return sealedPath(f), nil
			case !errors.Is(err, errSealUnsupported):
				return "", err
			}
			s.mu.Lock()
			s.noSeal = true
			s.mu.Unlock()
		}
		if err := s.copyVerified(src, wantHex, filepath.Join(s.dir, wantHex)); err != nil {
			return "", err
		}
		s.keep(wantHex, stagedCopy{from: id})
	}
	// A file copy is hashed again right before it runs.
	staged := filepath.Join(s.dir, wantHex)
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

// keep records c as the verified copy for wantHex, closing a sealed copy it
// replaces (a process started from it has its own reference).
func (s *stager) keep(wantHex string, c stagedCopy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.staged[wantHex]; ok && old.sealed != nil {
		_ = old.sealed.Close()
	}
	s.staged[wantHex] = c
}

// close releases the sealed copies.
func (s *stager) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.staged {
		if c.sealed != nil {
			_ = c.sealed.Close()
		}
		delete(s.staged, k)
	}
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
