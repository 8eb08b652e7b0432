package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a running bin/starling.
type server struct {
	t         *testing.T
	cmd       *exec.Cmd
	base      string // http://127.0.0.1:port
	adminBase string
	dataDir   string
	exited    chan error
	logs      *logBuffer // read while the server runs: locked
	// startup holds the JSON log records up to "admin listening", written
	// before startServer returns and never after, so tests read them
	// without a lock.
	startup []map[string]any
}

// binaries returns the paths make built, or skips.
func binaries(t *testing.T) (bin, pluginDir string) {
	t.Helper()
	bin, pluginDir = os.Getenv("STARLING_TEST_BIN"), os.Getenv("STARLING_TEST_PLUGIN_DIR")
	if bin == "" || pluginDir == "" {
		t.Skip("STARLING_TEST_BIN and STARLING_TEST_PLUGIN_DIR not set: run `make test`, which builds the binaries first")
	}
	for _, p := range []string{bin, filepath.Join(pluginDir, "manifest.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s missing (run `make build`): %v", p, err)
		}
	}
	return bin, pluginDir
}

// logBuffer is a server's log, written by the goroutine reading its
// stderr and read by tests while it runs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) writeLine(line []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(line)
	b.buf.WriteByte('\n')
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs bin/starling serve on free ports over dataDir and waits
// until it logs its listening addresses.
func startServer(t *testing.T, dataDir string, extra ...string) *server {
	t.Helper()
	bin, pluginDir := binaries(t)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0",
		"--admin-token", "e2e-admin-token", "--data-dir", dataDir, "--log-format", "json",
		"--plugins", filepath.Join(pluginDir, "manifest.json")}, extra...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, dataDir: dataDir, exited: make(chan error, 1), logs: &logBuffer{}}
	addrs := make(chan [2]string, 1)
	go func() {
		var public, adm string
		sc := bufio.NewScanner(stderr)
		// Long lines must not stop the scan: the server would then block
		// on a full stderr pipe, and a test meant to fail would hang.
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.writeLine(line)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) != nil {
				continue
			}
			if adm == "" {
				var all map[string]any
				_ = json.Unmarshal(line, &all)
				s.startup = append(s.startup, all)
			}
			switch rec.Msg {
			case "listening":
				public = rec.Addr
			case "admin listening":
				adm = rec.Addr
				addrs <- [2]string{public, adm}
			}
		}
		s.exited <- cmd.Wait()
	}()
	t.Cleanup(func() { s.stop() })
	select {
	case a := <-addrs:
		s.base, s.adminBase = "http://"+a[0], "http://"+a[1]
	case err := <-s.exited:
		t.Fatalf("server exited before listening: %v\n%s", err, s.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not report its address within 60s\n%s", s.logs)
	}
	return s
}

// startupRecord returns the first start-up log record with message msg,
// or nil.
func (s *server) startupRecord(msg string) map[string]any {
	for _, rec := range s.startup {
		if rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		if err != nil {
			s.t.Errorf("server exit after SIGTERM: %v\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		s.t.Errorf("server did not stop within 30s of SIGTERM\n%s", s.logs)
	}
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorText returns the "error" field of a Mastodon error body.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.decode(t, &e)
	if e.Error == "" {
		t.Fatalf("status %d without an error field: %s", r.status, r.body)
	}
	return e.Error
}

// do sends a request; form, when not nil, is sent url-encoded.
func (s *server) do(method, target, token string, form url.Values) response {
	s.t.Helper()
	if form == nil {
		return s.raw(method, target, token, "", nil, nil)
	}
	return s.raw(method, target, token, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// doJSON sends v as a JSON body.
func (s *server) doJSON(method, path, token string, v any) response {
	s.t.Helper()
	b, _ := json.Marshal(v)
	return s.raw(method, path, token, "application/json", b, nil)
}

// raw sends body as it is, with contentType (none when empty) and header.
func (s *server) raw(method, target, token, contentType string, body []byte, header http.Header) response {
	s.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = s.base + target
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// must checks the status code.
func (s *server) must(r response, want int) response {
	s.t.Helper()
	if r.status != want {
		s.t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	return r
}

// nextLink returns the rel="next" or rel="prev" URL of a Link header.
func nextLink(t *testing.T, h http.Header, rel string) string {
	t.Helper()
	for _, part := range strings.Split(h.Get("Link"), ",") {
		u, r, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.TrimSpace(r) == fmt.Sprintf("rel=%q", rel) {
			return strings.Trim(u, "<>")
		}
	}
	t.Fatalf("no rel=%q in Link header %q", rel, h.Get("Link"))
	return ""
}
