package policy

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the plugin when the server dies, even
// by SIGKILL, so no plugin outlives it (see spawner for the thread caveat).
// pluginsdk.Serve also polls its parent as a second line of defence.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
