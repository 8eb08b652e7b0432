//go:build !linux

package policy

import (
	"io/fs"
	"os/exec"
)

// dieWithParent has no kernel support here; pluginsdk.Serve's parent poll
// stops an orphaned plugin within seconds.
func dieWithParent(*exec.Cmd) {}

// identify is fi's size and modification time (no inode here).
func identify(fi fs.FileInfo) fileID {
	return fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
