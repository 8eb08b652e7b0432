package policy

import (
	"io/fs"
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the plugin when the server dies, even
// by SIGKILL, so no plugin outlives it (see spawner for the thread caveat).
// pluginsdk.Serve also polls its parent as a second line of defence.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// identify is fi's device, inode, size and modification time.
func identify(fi fs.FileInfo) fileID {
	id := fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	return id
}
