package e2e

import (
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
	"testing"
	"time"
)

// cli runs `starling plugins ...` against s's admin listener.
func (s *server) cli(args ...string) (string, error) { return s.command("plugins", args...) }

// command runs `starling CMD ...` against s's admin listener.
func (s *server) command(cmd string, args ...string) (string, error) {
	bin, _ := binaries(s.t)
	addr := strings.TrimPrefix(s.adminBase, "http://")
	args = append(args, "--admin-addr", addr, "--admin-token", "e2e-admin-token")
	out, err := exec.Command(bin, append([]string{cmd}, args...)...).CombinedOutput()
	return string(out), err
}

// adminPlugins reads GET /admin/plugins.
func (s *server) adminPlugins() map[string]struct {
	Version, State string
	PID            int
	Enabled        bool
} {
	r := s.must(s.do("GET", s.adminBase+"/admin/plugins", "e2e-admin-token", nil), http.StatusOK)
	var list []struct {
		Name, Version, State string
		PID                  int
		Enabled              bool
	}
	r.decode(s.t, &list)
	out := map[string]struct {
		Version, State string
		PID            int
		Enabled        bool
	}{}
	for _, p := range list {
		out[p.Name] = struct {
			Version, State string
			PID            int
			Enabled        bool
		}{p.Version, p.State, p.PID, p.Enabled}
	}
	return out
}

// TestPluginsOperatorFlow is the operator's guide, run: init a manifest in
// the data dir, list, a refused reload that keeps the old version serving,
// a good reload, disable, the flagged list and the audit log, and a plugin
// killed with -9 that comes back by itself.
func TestPluginsOperatorFlow(t *testing.T) {
	bin, pluginDir := binaries(t)
	dir := t.TempDir()
	initOut, err := exec.Command(bin, "plugins", "init", "--data-dir", dir, "--from", filepath.Join(pluginDir, "manifest.json")).CombinedOutput()
	if err != nil || !strings.Contains(string(initOut), "plugins.json") {
		t.Fatalf("plugins init: %v\n%s", err, initOut)
	}
	s := startServer(t, dir, "--plugins", "auto", "--plugins-watch", "0")
	if r := s.must(s.do("GET", "/readyz", "", nil), http.StatusOK); !strings.Contains(string(r.body), `"plugins":"ok"`) {
		t.Fatalf("readyz: %s", r.body)
	}

	out, err := s.cli("list")
	if err != nil || !strings.Contains(out, "wordfilter") || !strings.Contains(out, "1.1.0") || !strings.Contains(out, "ready") || !strings.Contains(out, "disabled") {
		t.Fatalf("plugins list: %v\n%s", err, out)
	}

	_, app := newApp(t, s)
	alice := register(t, s, app, "alice")
	post := func(text string) response {
		return s.do("POST", "/api/v1/statuses", alice, url.Values{"status": {text}})
	}
	if r := post("my ＳＣＡＭ\u200bLINK"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("disguised blocked word: %d %s", r.status, r.body)
	}
	// A new account with three links: stored, and flagged by spamguard.
	var flaggedStatus struct{ ID string }
	s.must(post("https://a.example https://b.example https://c.example"), http.StatusOK).decode(t, &flaggedStatus)
	r := s.must(s.do("GET", s.adminBase+"/admin/flagged", "e2e-admin-token", nil), http.StatusOK)
	if !strings.Contains(string(r.body), `"status_id":"`+flaggedStatus.ID+`"`) || !strings.Contains(string(r.body), `"plugin":"spamguard"`) {
		t.Fatalf("flagged list: %s", r.body)
	}
	r = s.must(s.do("GET", s.adminBase+"/admin/audit", "e2e-admin-token", nil), http.StatusOK)
	if !strings.Contains(string(r.body), `"verdict":"reject"`) || !strings.Contains(string(r.body), `"plugin_version":"1.1.0"`) {
		t.Fatalf("audit log: %s", r.body)
	}

	// A bad version: the spamguard binary installed as wordfilter's next
	// version (copy, then rename into place) and pinned in the manifest.
	manifest := filepath.Join(dir, "plugins.json")
	good, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "wordfilter-next")
	copyExecutable(t, filepath.Join(pluginDir, "spamguard"), bad)
	pinned := pinFile(t, dir, bad, "wordfilter")
	if err := os.WriteFile(manifest, pinned, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = s.cli("reload", "wordfilter")
	if err == nil || !strings.Contains(out, `says it is "spamguard"`) || !strings.Contains(out, "keeps serving") {
		t.Fatalf("reload of a wrong binary: %v\n%s", err, out)
	}
	if r := post("my scamlink"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("after the refused reload the old wordfilter must still serve: %d %s", r.status, r.body)
	}
	// Roll back: the good manifest again, reload succeeds.
	if err := os.WriteFile(manifest, good, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = s.cli("reload", "wordfilter")
	if err != nil || !strings.Contains(out, "version 1.1.0 is serving") {
		t.Fatalf("reload: %v\n%s", err, out)
	}

	out, err = s.cli("disable", "spamguard")
	if err != nil || !strings.Contains(out, "spamguard: disabled") {
		t.Fatalf("disable: %v\n%s", err, out)
	}
	if p := s.adminPlugins()["spamguard"]; p.State != "disabled" || p.Enabled {
		t.Fatalf("spamguard after disable: %+v", p)
	}
	if b, _ := os.ReadFile(manifest); !strings.Contains(string(b), `"enabled": false`) {
		t.Fatalf("disable not saved in the manifest:\n%s", b)
	}
	out, err = s.cli("reload", "nosuch")
	if err == nil || !strings.Contains(out, "unknown plugin") {
		t.Fatalf("reload of an unknown plugin: %v\n%s", err, out)
	}

	// kill -9 of the word filter: restarted by the supervisor.
	pid := s.adminPlugins()["wordfilter"].PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := s.adminPlugins()["wordfilter"]
		if p.State == "ready" && p.PID != pid && p.PID != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("wordfilter not restarted: %+v", p)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := post("my scamlink"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("after the restart: %d %s", r.status, r.body)
	}
	s.must(s.do("GET", "/readyz", "", nil), http.StatusOK)
	m := s.must(s.do("GET", s.adminBase+"/metrics", "e2e-admin-token", nil), http.StatusOK)
	if !strings.Contains(string(m.body), `starling_policy_plugin_restarts_total{plugin="wordfilter"} 1`) {
		t.Errorf("restart not counted in /metrics")
	}
}

// TestPluginsDieWithKilledServer: kill -9 of the server takes its plugin
// processes with it.
func TestPluginsDieWithKilledServer(t *testing.T) {
	s := startServer(t, t.TempDir())
	var pids []int
	for name, p := range s.adminPlugins() {
		if p.State == "ready" {
			pids = append(pids, p.PID)
		} else if name == "wordfilter" {
			t.Fatalf("wordfilter %+v", p)
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("plugin %d outlived its server", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// alive reports whether pid runs (a zombie nobody reaped does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	tmp := to + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// pinFile returns dir/plugins.json with plugin name pointed at bin and
// pinned to its hash, as an operator would edit it.
func pinFile(t *testing.T, dir, bin, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "plugins.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string][]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sha256sum", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m["plugins"] {
		if p["name"] == name {
			p["path"], p["sha256"] = bin, strings.Fields(string(out))[0]
		}
	}
	b, err = json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
