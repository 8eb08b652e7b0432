package pluginsdk

import (
	"errors"
	"net"
	"syscall"
)

// PeerAuth reports whether this platform tells a Unix socket's peer process
// (SO_PEERCRED), so plugin connections are authenticated by the kernel
// instead of TLS (see HostDialOptions).
const PeerAuth = true

// peerCred is the pid and uid of the process at the other end of a Unix
// socket connection, as the kernel recorded them when it was made.
func peerCred(conn net.Conn) (pid, uid int, err error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0, 0, errors.New("not a socket")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var cred *syscall.Ucred
	cerr := raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cerr != nil {
		return 0, 0, cerr
	}
	if err != nil {
		return 0, 0, err
	}
	return int(cred.Pid), int(cred.Uid), nil
}
