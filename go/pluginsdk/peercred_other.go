//go:build !linux

package pluginsdk

import (
	"errors"
	"net"
)

// PeerAuth reports whether this platform tells a Unix socket's peer process
// (SO_PEERCRED), so plugin connections are authenticated by the kernel
// instead of TLS (see HostDialOptions). Not here: hosts use mutual TLS.
const PeerAuth = false

func peerCred(net.Conn) (pid, uid int, err error) {
	return 0, 0, errors.New("peer credentials are not supported on this platform")
}
