package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validSpec() PluginSpec {
	return PluginSpec{
		Name:     "wordfilter",
		Path:     "wordfilter",
		Hooks:    []string{"check_status"},
		FailMode: FailClosed,
		Timeout:  Duration(2 * time.Second),
		Enabled:  true,
	}
}

func TestManifestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Manifest)
		wantErr []string // substrings; none means valid
	}{
		{"valid", func(*Manifest) {}, nil},
		{"empty", func(m *Manifest) { m.Plugins = nil }, nil},
		{"pinned", func(m *Manifest) { m.Plugins[0].SHA256 = strings.Repeat("0a", 32) }, nil},
		{"with config", func(m *Manifest) { m.Plugins[0].Config = json.RawMessage(`{"a":1}`) }, nil},
		{"no name", func(m *Manifest) { m.Plugins[0].Name = "" }, []string{"plugins[0]: name is required"}},
		{"bad name", func(m *Manifest) { m.Plugins[0].Name = "Word Filter" }, []string{`name "Word Filter" must be`}},
		{"duplicate name", func(m *Manifest) { m.Plugins = append(m.Plugins, validSpec()) }, []string{`plugins[1] (wordfilter): name "wordfilter" is used twice`}},
		{"no path", func(m *Manifest) { m.Plugins[0].Path = "" }, []string{"path is required"}},
		{"short sha256", func(m *Manifest) { m.Plugins[0].SHA256 = "abc" }, []string{"sha256 must be 64 hex digits"}},
		{"non-hex sha256", func(m *Manifest) { m.Plugins[0].SHA256 = strings.Repeat("zz", 32) }, []string{"sha256 must be 64 hex digits"}},
		{"no hooks", func(m *Manifest) { m.Plugins[0].Hooks = nil }, []string{"hooks: at least one"}},
		{"unknown hook", func(m *Manifest) { m.Plugins[0].Hooks = []string{"rank_v9"} }, []string{`unknown hook "rank_v9"`}},
		{"all hooks", func(m *Manifest) { m.Plugins[0].Hooks = []string{"check_status", "check_account", "rank"} }, nil},
		{"hook timeout", func(m *Manifest) {
			m.Plugins[0].HookTimeouts = map[string]Duration{"check_status": Duration(time.Millisecond)}
		}, nil},
		{"hook timeout for another hook", func(m *Manifest) {
			m.Plugins[0].HookTimeouts = map[string]Duration{"rank": Duration(time.Millisecond)}
		}, []string{`hook_timeouts: "rank" is not one of`}},
		{"zero hook timeout", func(m *Manifest) {
			m.Plugins[0].HookTimeouts = map[string]Duration{"check_status": 0}
		}, []string{"hook_timeouts[check_status] must be positive"}},
		{"long version", func(m *Manifest) { m.Plugins[0].Version = strings.Repeat("1", 65) }, []string{"version is longer"}},
		{"duplicate hook", func(m *Manifest) { m.Plugins[0].Hooks = []string{"check_status", "check_status"} }, []string{`hooks[1]: "check_status" listed twice`}},
		{"no fail mode", func(m *Manifest) { m.Plugins[0].FailMode = "" }, []string{`fail_mode must be "open" or "closed"`}},
		{"zero timeout", func(m *Manifest) { m.Plugins[0].Timeout = 0 }, []string{"timeout must be positive"}},
		{"huge timeout", func(m *Manifest) { m.Plugins[0].Timeout = Duration(2 * time.Minute) }, []string{"at most 30s"}},
		{"bad config", func(m *Manifest) { m.Plugins[0].Config = json.RawMessage(`{`) }, []string{"config is not valid JSON"}},
		{"all problems reported", func(m *Manifest) {
			m.Plugins[0].Path = ""
			m.Plugins[0].FailMode = "maybe"
		}, []string{"path is required", "fail_mode must be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manifest{Plugins: []PluginSpec{validSpec()}}
			tt.edit(m)
			err := m.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoadManifest(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		wantErr string // empty means valid
	}{
		{"valid", `{"plugins": [{"name": "w", "path": "w", "hooks": ["check_status"], "fail_mode": "open", "timeout": "500ms", "enabled": true, "config": {"x": 1}}]}`, ""},
		{"empty object", `{}`, ""},
		{"misspelt field", `{"plugins": [{"name": "w", "path": "w", "hooks": ["check_status"], "failmode": "open", "timeout": "1s"}]}`, `unknown field "failmode"`},
		{"timeout not a string", `{"plugins": [{"name": "w", "path": "w", "hooks": ["check_status"], "fail_mode": "open", "timeout": 2}]}`, `duration must be a string`},
		{"timeout unparsable", `{"plugins": [{"name": "w", "path": "w", "hooks": ["check_status"], "fail_mode": "open", "timeout": "2 s"}]}`, `time: unknown unit`},
		{"invalid entry", `{"plugins": [{"name": "w", "path": "w", "hooks": ["check_status"], "fail_mode": "open"}]}`, "timeout must be positive"},
		{"trailing data", `{} {}`, "trailing data"},
		{"not JSON", `plugins:`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "manifest.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := LoadManifest(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("got %v, want an error naming %s and containing %q", err, path, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Dir != dir {
				t.Errorf("Dir = %q, want %q", m.Dir, dir)
			}
		})
	}

	if _, err := LoadManifest(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestBinaryPath(t *testing.T) {
	m := &Manifest{Dir: "/etc/starling/plugins"}
	if got := m.binaryPath(PluginSpec{Path: "wordfilter"}); got != "/etc/starling/plugins/wordfilter" {
		t.Errorf("relative: %s", got)
	}
	if got := m.binaryPath(PluginSpec{Path: "/opt/p/wordfilter"}); got != "/opt/p/wordfilter" {
		t.Errorf("absolute: %s", got)
	}
}

func TestPinAndSave(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wordfilter"), []byte("test"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := validSpec()
	spec.Config = json.RawMessage(`{"words": ["a"]}`)
	m := &Manifest{Plugins: []PluginSpec{spec}}
	if err := Pin(m, dir); err != nil {
		t.Fatal(err)
	}
	// sha256("test")
	const want = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if m.Plugins[0].SHA256 != want {
		t.Fatalf("SHA256 = %s, want %s", m.Plugins[0].SHA256, want)
	}

	out := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	got, err := LoadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Plugins[0]
	if p.SHA256 != want || p.Timeout != Duration(2*time.Second) || p.FailMode != FailClosed || !p.Enabled ||
		!json.Valid(p.Config) || !strings.Contains(string(p.Config), `"a"`) {
		t.Errorf("round trip: %+v", p)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `"timeout": "2s"`) {
		t.Errorf("timeout not written as a duration string:\n%s", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	t.Run("missing binary", func(t *testing.T) {
		m := &Manifest{Plugins: []PluginSpec{validSpec()}}
		if err := Pin(m, t.TempDir()); err == nil || !strings.Contains(err.Error(), "pin wordfilter") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("invalid manifest not saved", func(t *testing.T) {
		bad := &Manifest{Plugins: []PluginSpec{{Name: "x"}}}
		if err := bad.Save(out); err == nil {
			t.Fatal("saved an invalid manifest")
		}
		if _, err := LoadManifest(out); err != nil {
			t.Errorf("previous manifest damaged: %v", err)
		}
	})
}
