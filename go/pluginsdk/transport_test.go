//go:build linux

package pluginsdk

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/credentials/local"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// TestPeerCredentials checks both ends of the kernel-attested connection:
// the plugin side serves only the process it expects (its parent, in a real
// plugin), and the host side talks only to the process it started. Here one
// test process is both ends, so "self" is the right peer and any other pid
// (the test's own parent, or init) must be refused.
func TestPeerCredentials(t *testing.T) {
	self, parent := os.Getpid, os.Getppid
	one := func() int { return 1 }
	cases := []struct {
		name        string
		serverWants func() int // nil: no check on the server side
		clientWants func() int // nil: no check on the client side
		wantRefused bool
	}{
		{"server accepts its expected peer", self, nil, false},
		{"server refuses any other process", parent, nil, true},
		{"client accepts the process it started", nil, self, false},
		{"client refuses any other process", nil, one, true},
		{"both ends checked", self, self, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "plugin.sock")
			lis, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			var sopts []grpc.ServerOption
			if tc.serverWants != nil {
				sopts = append(sopts, grpc.Creds(&peerCreds{TransportCredentials: local.NewCredentials(), want: tc.serverWants, side: "host"}))
			}
			srv := grpc.NewServer(sopts...)
			proto.RegisterPolicyServer(srv, &grpcServer{impl: &echoPolicy{}})
			go func() { _ = srv.Serve(lis) }()
			t.Cleanup(srv.Stop)

			creds := grpc.WithTransportCredentials(insecure.NewCredentials())
			if tc.clientWants != nil {
				creds = grpc.WithTransportCredentials(&peerCreds{TransportCredentials: local.NewCredentials(), want: tc.clientWants, side: "plugin"})
			}
			conn, err := grpc.NewClient("unix://"+sock, creds)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })
			c := &grpcClient{client: proto.NewPolicyClient(conn)}
			_, err = c.Info(context.Background(), &InfoRequest{})
			switch {
			case tc.wantRefused && err == nil:
				t.Fatal("call answered across a connection that should have been refused")
			case !tc.wantRefused && err != nil:
				t.Fatalf("call refused: %v", err)
			}
		})
	}
}

// TestPeerCredRejectsNonSocket: a connection the kernel cannot vouch for is
// refused, not waved through.
func TestPeerCredRejectsNonSocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &peerCreds{TransportCredentials: local.NewCredentials(), want: os.Getpid, side: "plugin"}
	if _, _, err := c.ServerHandshake(a); err == nil {
		t.Fatal("handshake over a pipe without peer credentials succeeded")
	}
	if err := c.check(a); errors.Is(err, errWrongPeer) {
		t.Fatalf("error %v, want a peer-credentials error rather than a wrong peer", err)
	}
}
