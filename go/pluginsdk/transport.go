package pluginsdk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/local"
)

// The plugin connection's security model.
//
// Host and plugin talk gRPC over a Unix socket that the plugin creates in
// the host's private plugin directory (mode 0700, owned by the server's
// user; the host passes it in go-plugin's PLUGIN_UNIX_SOCKET_DIR). Another
// user cannot reach the socket at all. Where the kernel reports a Unix
// socket peer's process (SO_PEERCRED, Linux: PeerAuth is true), each end
// also checks who is on the other end instead of running TLS over the
// socket: the plugin accepts a connection only from its parent process (the
// host that started it), and the host accepts only the process it started,
// both running as the same user. The kernel's answer cannot be forged by
// the peer, so this authenticates both ends as go-plugin's automatic mutual
// TLS did, and the bytes never leave the kernel, so there is nothing for
// encryption to protect: a process that could read them (root, or the same
// user through ptrace) could read the host's memory and keys just as well.
// Dropping TLS removes a certificate generation per start on each side, a
// TLS handshake, and record encryption and framing on every call.
//
// Elsewhere (PeerAuth false) the host keeps go-plugin's automatic mutual
// TLS. A plugin built with this SDK serves TLS whenever its host asks for
// it (go-plugin's PLUGIN_CLIENT_CERT), so old hosts keep working.

// windowSize is the HTTP/2 flow-control window of every plugin connection.
// Setting it explicitly turns off gRPC's bandwidth-delay estimation, which
// sends a PING and a WINDOW_UPDATE around the data of a call: frames, and
// wakeups, that a connection to a local process does not need. 4 MiB covers
// a rank request of the largest allowed batch without waiting on updates.
const windowSize = 4 << 20

// HostDialOptions are the gRPC dial options a host passes to go-plugin
// (ClientConfig.GRPCDialOptions) for a plugin process, whose pid returns
// once the process is started. Where PeerAuth is true they replace the
// insecure transport go-plugin sets without AutoMTLS with the peer check
// described above; the host must then not use AutoMTLS.
func HostDialOptions(pid func() int) []grpc.DialOption {
	opts := []grpc.DialOption{
		grpc.WithInitialWindowSize(windowSize),
		grpc.WithInitialConnWindowSize(windowSize),
	}
	if PeerAuth {
		opts = append(opts, grpc.WithTransportCredentials(&peerCreds{
			TransportCredentials: local.NewCredentials(),
			want:                 pid,
			side:                 "plugin",
		}))
	}
	return opts
}

// serverOptions are the plugin side's gRPC options. tls says whether
// go-plugin already set up mutual TLS for this connection (the host asked
// for it); otherwise, where PeerAuth is true, only the parent process may
// connect.
func serverOptions(tls bool) []grpc.ServerOption {
	opts := []grpc.ServerOption{
		grpc.InitialWindowSize(windowSize),
		grpc.InitialConnWindowSize(windowSize),
	}
	if PeerAuth && !tls {
		opts = append(opts, grpc.Creds(&peerCreds{
			TransportCredentials: local.NewCredentials(),
			want:                 os.Getppid,
			side:                 "host",
		}))
	}
	return opts
}

// peerCreds is gRPC's local credentials (Unix sockets only) plus a check
// that the process on the other end is want() and runs as this process's
// user.
type peerCreds struct {
	credentials.TransportCredentials
	want func() int
	side string // what the peer should be, for the error
}

// errWrongPeer is a connection from a process that is not the expected one.
var errWrongPeer = errors.New("pluginsdk: connection from an unexpected process")

func (c *peerCreds) check(conn net.Conn) error {
	pid, uid, err := peerCred(conn)
	if err != nil {
		return fmt.Errorf("pluginsdk: peer credentials: %w", err)
	}
	if want := c.want(); pid != want || uid != os.Getuid() {
		return fmt.Errorf("%w: pid %d uid %d, want the %s (pid %d, uid %d)", errWrongPeer, pid, uid, c.side, want, os.Getuid())
	}
	return nil
}

func (c *peerCreds) ClientHandshake(ctx context.Context, authority string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	if err := c.check(conn); err != nil {
		return nil, nil, err
	}
	return c.TransportCredentials.ClientHandshake(ctx, authority, conn)
}

func (c *peerCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	if err := c.check(conn); err != nil {
		return nil, nil, err
	}
	return c.TransportCredentials.ServerHandshake(conn)
}

func (c *peerCreds) Clone() credentials.TransportCredentials {
	return &peerCreds{TransportCredentials: c.TransportCredentials.Clone(), want: c.want, side: c.side}
}
