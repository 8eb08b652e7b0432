package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
)

// Manifest is the operator's list of policy plugins, stored as JSON:
//
//	{
//	  "plugins": [
//	    {
//	      "name": "wordfilter",
//	      "path": "wordfilter",
//	      "sha256": "9f86d08188…",
//	      "version": "1.1.0",
//	      "hooks": ["check_status"],
//	      "fail_mode": "closed",
//	      "timeout": "2s",
//	      "hook_timeouts": {"check_status": "500ms"},
//	      "enabled": true,
//	      "order": 10,
//	      "config": {"words": ["spamword"], "action": "reject"}
//	    }
//	  ]
//	}
//
// Plugins run by ascending order, then in the order listed. A template may
// omit sha256; Pin fills it, and the host refuses an enabled plugin without
// one. The format is documented for operators in the README.
type Manifest struct {
	Plugins []PluginSpec `json:"plugins"`

	// Dir is the directory a relative PluginSpec.Path is resolved against.
	// LoadManifest sets it to the manifest file's directory; it is not
	// stored in the file, so a saved manifest resolves against wherever it
	// is saved.
	Dir string `json:"-"`
	// File is the file LoadManifest read, which the host re-reads on
	// Reload, SetEnabled and Watch. Not stored in the file.
	File string `json:"-"`
}

// PluginSpec is one plugin in a Manifest.
type PluginSpec struct {
	// Name identifies the plugin in logs, metrics and the admin CLI. The
	// plugin's Info must report the same name.
	Name string `json:"name"`
	// Path is the plugin binary, relative to the manifest's directory
	// unless absolute.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the binary; the host refuses to run a
	// binary that does not match.
	SHA256 string `json:"sha256,omitempty"`
	// Version, when set, must equal the version the plugin reports; it
	// catches a manifest edited for one release and a binary of another.
	Version string `json:"version,omitempty"`
	// Hooks are the hooks routed to this plugin, each one the plugin must
	// serve (e.g. pluginsdk.HookCheckStatus).
	Hooks []string `json:"hooks"`
	// FailMode says what a failed call (timeout, crash) does.
	FailMode FailMode `json:"fail_mode"`
	// Timeout bounds every call to the plugin, e.g. "2s".
	Timeout Duration `json:"timeout"`
	// HookTimeouts overrides Timeout per hook, e.g. a tighter bound for
	// "rank", which sits in every timeline read.
	HookTimeouts map[string]Duration `json:"hook_timeouts,omitempty"`
	// Enabled plugins are started; disabled ones are only listed.
	Enabled bool `json:"enabled"`
	// Order sorts plugins (ascending; ties keep the listed order). A
	// plugin's rewrite is seen by the plugins after it.
	Order int `json:"order,omitempty"`
	// Config is handed to the plugin's Configure as is.
	Config json.RawMessage `json:"config,omitempty"`
}

// FailMode is what the host does when a call to a plugin fails.
type FailMode string

const (
	// FailOpen skips the failed plugin, as if it had allowed the request.
	// For plugins whose absence is tolerable (e.g. a spam score).
	FailOpen FailMode = "open"
	// FailClosed refuses the request with ErrUnavailable. For plugins that
	// must never be bypassed (e.g. a legal block list).
	FailClosed FailMode = "closed"
)

// Duration is a time.Duration written as a Go duration string ("2s",
// "500ms") in JSON, which is what operators type.
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string such as "2s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf(`duration must be a string such as "2s": %w`, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// maxTimeout caps a plugin's per-call timeout: a call sits in the path of a
// user's request, and a larger value is almost surely a typo ("2m" for "2s").
const maxTimeout = 30 * time.Second

// knownHooks are the hooks this host can route.
var knownHooks = pluginsdk.Hooks

// timeout is the bound on one call of hook.
func (p PluginSpec) timeout(hook string) time.Duration {
	if d, ok := p.HookTimeouts[hook]; ok {
		return time.Duration(d)
	}
	return time.Duration(p.Timeout)
}

// maxTimeoutOf is the longest bound over p's hooks: how long a drain waits.
func (p PluginSpec) maxTimeoutOf() time.Duration {
	d := time.Duration(p.Timeout)
	for _, t := range p.HookTimeouts {
		d = max(d, time.Duration(t))
	}
	return d
}

// ordered returns m's plugins sorted by Order, stably.
func (m *Manifest) ordered() []PluginSpec {
	out := slices.Clone(m.Plugins)
	slices.SortStableFunc(out, func(a, b PluginSpec) int { return a.Order - b.Order })
	return out
}

// spec returns the entry named name.
func (m *Manifest) spec(name string) (PluginSpec, bool) {
	for _, p := range m.Plugins {
		if p.Name == name {
			return p, true
		}
	}
	return PluginSpec{}, false
}

// nameRE restricts names to what is safe as a file name, a metric label and
// a CLI argument.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// LoadManifest reads and validates the manifest at path, and sets its Dir.
// Unknown fields are errors, so a misspelt "fail_mode" cannot silently fall
// back to a default.
func LoadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: load manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("policy: load manifest %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("policy: load manifest %s: trailing data after the JSON object", path)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("policy: load manifest %s: %w", path, err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("policy: load manifest: %w", err)
	}
	m.Dir = abs
	if m.File, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("policy: load manifest: %w", err)
	}
	return &m, nil
}

// Validate checks every entry and returns all problems found, each naming
// its plugin. A missing sha256 is allowed here (templates have none); NewHost
// requires it for enabled plugins.
func (m *Manifest) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, p := range m.Plugins {
		where := fmt.Sprintf("plugins[%d]", i)
		if p.Name != "" {
			where = fmt.Sprintf("plugins[%d] (%s)", i, p.Name)
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
		}
		switch {
		case p.Name == "":
			bad("name is required")
		case !nameRE.MatchString(p.Name):
			bad("name %q must be lower-case letters, digits, '-' or '_' (at most 64)", p.Name)
		case seen[p.Name]:
			bad("name %q is used twice", p.Name)
		}
		seen[p.Name] = true
		if p.Path == "" {
			bad("path is required")
		}
		if p.SHA256 != "" {
			if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != sha256.Size {
				bad("sha256 must be 64 hex digits")
			}
		}
		if len(p.Hooks) == 0 {
			bad("hooks: at least one is required (known: %v)", knownHooks)
		}
		for j, h := range p.Hooks {
			if !slices.Contains(knownHooks, h) {
				bad("hooks[%d]: unknown hook %q (known: %v)", j, h, knownHooks)
			} else if slices.Index(p.Hooks, h) != j {
				bad("hooks[%d]: %q listed twice", j, h)
			}
		}
		if p.FailMode != FailOpen && p.FailMode != FailClosed {
			bad("fail_mode must be %q or %q, got %q", FailOpen, FailClosed, p.FailMode)
		}
		if t := time.Duration(p.Timeout); t <= 0 || t > maxTimeout {
			bad("timeout must be positive and at most %s, got %s", maxTimeout, t)
		}
		for h, d := range p.HookTimeouts {
			if !slices.Contains(p.Hooks, h) {
				bad("hook_timeouts: %q is not one of the plugin's hooks %v", h, p.Hooks)
			}
			if t := time.Duration(d); t <= 0 || t > maxTimeout {
				bad("hook_timeouts[%s] must be positive and at most %s, got %s", h, maxTimeout, t)
			}
		}
		if len(p.Version) > 64 {
			bad("version is longer than 64 bytes")
		}
		if len(p.Config) > 0 && !json.Valid(p.Config) {
			bad("config is not valid JSON")
		}
	}
	return errors.Join(errs...)
}

// binaryPath is p's binary, resolved against the manifest's directory.
func (m *Manifest) binaryPath(p PluginSpec) string {
	if filepath.IsAbs(p.Path) {
		return p.Path
	}
	return filepath.Join(m.Dir, p.Path)
}

// Pin sets every plugin's SHA256 to the hash of the binary dir/<name>, where
// the build put it. It is how a template manifest becomes the one the server
// loads; it fails if any binary is missing.
func Pin(m *Manifest, dir string) error {
	for i := range m.Plugins {
		p := &m.Plugins[i]
		sum, err := fileSHA256(filepath.Join(dir, p.Name))
		if err != nil {
			return fmt.Errorf("policy: pin %s: %w", p.Name, err)
		}
		p.SHA256 = sum
	}
	return nil
}

// VerifyBinary reports whether p's binary exists and matches its pinned
// SHA-256, as the host will check at start; `starling plugins list` shows it.
func (m *Manifest) VerifyBinary(p PluginSpec) error {
	path := m.binaryPath(p)
	if p.SHA256 == "" {
		return fmt.Errorf("policy: %s: not pinned (no sha256)", p.Name)
	}
	got, err := fileSHA256(path)
	if err != nil {
		return fmt.Errorf("policy: %s: %w", p.Name, err)
	}
	if got != p.SHA256 {
		return fmt.Errorf("policy: %s: %s has sha256 %s, manifest pins %s", p.Name, path, got, p.SHA256)
	}
	return nil
}

// fileSHA256 returns the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Save validates m and writes it to path atomically: to a temporary file in
// the same directory, synced, then renamed over path. A server loading the
// manifest concurrently sees the old or the new file, never half of one.
func (m *Manifest) Save(path string) (err error) {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	b = append(b, '\n')

	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".manifest-*.tmp")
	if err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(b); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("policy: save manifest: %w", err)
	}
	// Sync the directory so the rename itself survives a crash; not every
	// platform can, and the file is already complete either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
