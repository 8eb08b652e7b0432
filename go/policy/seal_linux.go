package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// sealedCopy copies src into an anonymous in-memory file (memfd), hashing
// the bytes copied, refuses it unless they hash to wantHex, and then seals
// it: after F_SEAL_WRITE, F_SEAL_SHRINK and F_SEAL_GROW the kernel refuses
// every change to its content, by anyone, root included, for as long as it
// exists. So the copy never needs hashing again: a restart or a swap back to
// this version executes it as it is (through /proc/self/fd). It returns a
// read-only descriptor of the sealed copy; errSealUnsupported means this
// kernel (or a seccomp filter, or vm.memfd_noexec) does not allow it, and
// the caller falls back to a file copy.
func sealedCopy(src, wantHex string) (_ *os.File, err error) {
	const flags = unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	fd, err := unix.MemfdCreate("starling-plugin", flags|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) {
		// Before Linux 6.3 there is no MFD_EXEC, and memfds are executable.
		fd, err = unix.MemfdCreate("starling-plugin", flags)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: memfd_create: %v", errSealUnsupported, err)
	}
	w := os.NewFile(uintptr(fd), "memfd:starling-plugin")
	defer w.Close()

	in, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(in, maxBinary+1))
	if err != nil {
		return nil, err
	}
	if n > maxBinary {
		return nil, fmt.Errorf("%s is larger than %d bytes", src, maxBinary)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantHex {
		return nil, fmt.Errorf("%w: %s has sha256 %s, manifest pins %s; refusing to run it", errHashMismatch, src, got, wantHex)
	}
	const seals = unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return nil, fmt.Errorf("%w: sealing: %v", errSealUnsupported, err)
	}
	// Keep only a read-only descriptor: nothing could write through the
	// other any more, and a file open for writing cannot be executed.
	r, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return nil, fmt.Errorf("%w: reopening the sealed copy: %v", errSealUnsupported, err)
	}
	if got, err := unix.FcntlInt(r.Fd(), unix.F_GET_SEALS, 0); err != nil || got&seals != seals {
		r.Close()
		return nil, fmt.Errorf("%w: the copy's seals are %#x (%v)", errSealUnsupported, got, err)
	}
	return r, nil
}

// sealedPath is the path through which a plugin process executes a sealed
// copy: the descriptor as the child sees it between fork and exec (it is
// close-on-exec, so the plugin does not keep it).
func sealedPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }
