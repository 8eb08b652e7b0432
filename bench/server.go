package main

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
	"syscall"
	"time"
)

// benchServer is a bin/starling serve process the bench drives over HTTP.
type benchServer struct {
	e       *env
	bin     string
	opts    serverOptions
	cmd     *exec.Cmd
	dir     string // the data dir; removed by stop unless opts.dir named it
	ownDir  bool
	base    string // http://127.0.0.1:port
	admin   string // http://127.0.0.1:port of the admin listener, "" without one
	exited  chan error
	stopped bool
	// notices receives each logged message named in opts.notify.
	notices chan string
}

// serverOptions are how a bench runs the server: its flags beyond
// --addr, --data-dir and --log-format, and extra environment.
type serverOptions struct {
	args []string
	env  []string
	dir  string // data dir to use (kept on stop); "" makes a temporary one
	// notify names log messages (msg) sent to benchServer.notices.
	notify []string
	// startTimeout bounds the wait for "listening" (default 60s).
	startTimeout time.Duration
}

// startServer runs bin serve on 127.0.0.1 with a fresh (or the given)
// data dir and waits for it to listen.
func startServer(e *env, bin string, o serverOptions) (*benchServer, error) {
	s := &benchServer{e: e, bin: bin, opts: o, dir: o.dir}
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "starling-bench-")
		if err != nil {
			return nil, err
		}
		s.dir, s.ownDir = dir, true
	}
	if err := s.start(); err != nil {
		if s.ownDir {
			os.RemoveAll(s.dir)
		}
		return nil, err
	}
	return s, nil
}

// start runs the process and waits for its "listening" log lines.
func (s *benchServer) start() error {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", s.dir, "--log-format", "json"}, s.opts.args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), s.opts.env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited, s.stopped = cmd, make(chan error, 1), false
	s.notices = make(chan string, 16)
	notify := make([][]byte, len(s.opts.notify))
	for i, m := range s.opts.notify {
		notify[i] = []byte(`"msg":"` + m + `"`)
	}
	wantAdmin := !slicesHasPair(s.opts.args, "--admin-addr", "")
	addr, admin := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			for i, m := range notify {
				if bytes.Contains(line, m) {
					select {
					case s.notices <- s.opts.notify[i]:
					default:
					}
				}
			}
			if !bytes.Contains(line, []byte(`listening"`)) && !bytes.Contains(line, []byte(`"level":"WARN"`)) &&
				!bytes.Contains(line, []byte(`"level":"ERROR"`)) {
				continue // access logs are INFO: skip them without decoding
			}
			var rec struct{ Msg, Addr, Level string }
			switch {
			case json.Unmarshal(line, &rec) != nil:
			case rec.Msg == "listening":
				addr <- rec.Addr
			case rec.Msg == "admin listening":
				admin <- rec.Addr
			case rec.Level == "WARN" || rec.Level == "ERROR":
				fmt.Fprintf(s.e.stderr, "server: %s\n", line)
			}
		}
		s.exited <- cmd.Wait()
	}()
	wait := s.opts.startTimeout
	if wait == 0 {
		wait = 60 * time.Second
	}
	timeout := time.After(wait)
	for s.base == "" || wantAdmin && s.admin == "" {
		select {
		case a := <-addr:
			s.base = "http://" + a
		case a := <-admin:
			s.admin = "http://" + a
		case err := <-s.exited:
			s.stopped = true
			return fmt.Errorf("server exited before listening: %v", err)
		case <-timeout:
			s.stop()
			return fmt.Errorf("server did not report its addresses within %s", wait)
		}
	}
	return nil
}

func slicesHasPair(args []string, name, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == name && args[i+1] == value {
			return true
		}
	}
	return false
}

// restart stops the server (SIGTERM, so it drains) and starts it again on
// the same data dir: what follows runs against cold caches.
func (s *benchServer) restart() error {
	s.terminate()
	s.base, s.admin = "", ""
	return s.start()
}

func (s *benchServer) terminate() {
	if s.stopped {
		return
	}
	s.stopped = true
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// stop ends the server and removes a data dir the bench made.
func (s *benchServer) stop() {
	s.terminate()
	if s.ownDir {
		os.RemoveAll(s.dir)
	}
}

// cpu is the server's CPU time so far: the sum over its threads of
// /proc/<pid>/task/<tid>/schedstat (nanoseconds; Go's threads live as long
// as the process, so none is lost between two readings).
func (s *benchServer) cpu() (time.Duration, error) {
	root := fmt.Sprintf("/proc/%d/task", s.cmd.Process.Pid)
	tasks, err := os.ReadDir(root)
	if err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(root, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended
		}
		ns, err := parseSchedstat(b)
		if err != nil {
			return 0, fmt.Errorf("server CPU: %w", err)
		}
		total += ns
	}
	return total, nil
}

// call sends a form to the API and decodes the JSON answer into out.
func (s *benchServer) call(path, token string, form url.Values, out any) error {
	return s.do(http.MethodPost, path, token, form, out)
}

// do sends a request (a form for POST) and decodes the JSON answer into
// out (nil: discard it).
func (s *benchServer) do(method, path, token string, form url.Values, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// appToken registers an app and returns its client-credentials token,
// which may register accounts.
func (s *benchServer) appToken() (string, error) {
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := s.call("/api/v1/apps", "", url.Values{"client_name": {"bench"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"},
		"scopes": {"read write"}}, &app); err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err := s.call("/oauth/token", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "scope": {"read write"}}, &tok)
	return tok.AccessToken, err
}

// register signs up the account name and returns its user token.
func (s *benchServer) register(appToken, name string) (string, error) {
	var t struct {
		AccessToken string `json:"access_token"`
	}
	err := s.call("/api/v1/accounts", appToken, url.Values{"username": {name}, "password": {"correct-horse-battery"},
		"email": {name + "@example.com"}, "agreement": {"true"}}, &t)
	return t.AccessToken, err
}
