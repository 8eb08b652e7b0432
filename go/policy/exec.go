package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// maxBinary bounds how much of a plugin binary the host reads into memory to
// verify it. Go plugins are tens of megabytes.
const maxBinary = 1 << 30

// errHashMismatch marks a binary whose SHA-256 is not the pinned one.
var errHashMismatch = errors.New("sha256 mismatch")

// stageBinary closes the hash-then-exec race. go-plugin's SecureConfig hashes
// the binary by path and later executes the path again, so a binary renamed
// into place in between runs unverified. Instead the host reads src once,
// hashes exactly those bytes, and writes them into a new file in dir, a
// directory only the server's user can write (mode 0700). It then hashes the
// copy again and returns its path: the file that is executed is the file
// that was verified, whatever happens to src afterwards.
func stageBinary(src, wantHex, dir string) (staged string, err error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", src)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBinary+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxBinary {
		return "", fmt.Errorf("%s is larger than %d bytes", src, maxBinary)
	}
	if got := sha256Hex(b); got != wantHex {
		return "", fmt.Errorf("%w: %s has sha256 %s, manifest pins %s; refusing to run it", errHashMismatch, src, got, wantHex)
	}

	out, err := os.CreateTemp(dir, filepath.Base(src)+"-*")
	if err != nil {
		return "", err
	}
	staged = out.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(staged)
		}
	}()
	if _, err = out.Write(b); err != nil {
		_ = out.Close()
		return "", err
	}
	if err = out.Chmod(0o500); err != nil {
		_ = out.Close()
		return "", err
	}
	if err = out.Close(); err != nil {
		return "", err
	}
	// Verify the copy itself, not the bytes we meant to write.
	copied, err := os.ReadFile(staged)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(copied, b) {
		return "", fmt.Errorf("%w: staged copy of %s differs from what was verified", errHashMismatch, src)
	}
	return staged, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
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
