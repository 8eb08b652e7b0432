package policy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/starling-social/starling/go/pluginsdk"
)

// strangerEnv makes the test binary a stranger process: one of the server's
// user but not the server, dialling a plugin's socket (see TestMain).
const strangerEnv = "POLICY_TEST_STRANGER_SOCKET"

// Exit codes of runStranger.
const (
	strangerRefused  = 3
	strangerAnswered = 4
)

// runStranger dials socket without TLS and asks the plugin's health
// service, as any local process of the server's user could.
func runStranger(socket string) int {
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 1
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{}); err != nil {
		return strangerRefused
	}
	return strangerAnswered
}

// TestPluginSocketIsPrivate: without TLS between host and plugin (Linux),
// the plugin's socket sits in the host's 0700 directory, and a process of
// the same user that is not the host is refused by the plugin itself (the
// kernel's peer credentials), while the host's own calls work.
func TestPluginSocketIsPrivate(t *testing.T) {
	if !pluginsdk.PeerAuth {
		t.Skip("no peer credentials on this platform; mutual TLS is used")
	}
	h := startHost(t, wordfilter(t, "reject"))
	fi, err := os.Stat(h.execDir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Fatalf("plugin directory %s has mode %o, want 700", h.execDir, perm)
	}
	entries, err := os.ReadDir(h.execDir)
	if err != nil {
		t.Fatal(err)
	}
	var socket string
	for _, e := range entries {
		if e.Type()&os.ModeSocket != 0 {
			socket = filepath.Join(h.execDir, e.Name())
		}
	}
	if socket == "" {
		t.Fatalf("no plugin socket in the private directory %s (entries %v)", h.execDir, entries)
	}

	resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "a spamword here"})
	if err != nil || resp.Verdict != pluginsdk.VerdictReject {
		t.Fatalf("the host's own call: %+v, %v", resp, err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), strangerEnv+"="+socket)
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		t.Fatal("stranger process exited 0; want it refused")
	case !errors.As(err, &ee):
		t.Fatal(err)
	case ee.ExitCode() == strangerAnswered:
		t.Fatal("a process other than the host was answered by the plugin")
	case ee.ExitCode() != strangerRefused:
		t.Fatalf("stranger process: %v", err)
	}
}

// TestPluginRunsFromSealedCopy: on Linux the process the host runs is the
// sealed in-memory copy, not a file anyone could change (the stager falls
// back to files only where memfds cannot be sealed or executed).
func TestPluginRunsFromSealedCopy(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("no /proc here")
	}
	h := startHost(t, wordfilter(t, "reject"))
	if h.stager.noSeal {
		t.Skip("this system cannot seal or execute memfds; the host fell back to file copies")
	}
	pid := h.Plugins()[0].PID
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(exe, "/memfd:starling-plugin") {
		t.Fatalf("plugin %d runs %q, want the sealed memfd", pid, exe)
	}
}
