package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starling-social/starling/go/pluginsdk"
)

// ErrUnavailable is wrapped by the error of a hook call that could not be
// decided: a plugin with fail mode "closed" failed (timeout, crash), or the
// host is closed. The api layer answers it with 503 Service Unavailable; the
// request may succeed when retried.
var ErrUnavailable = errors.New("policy plugin unavailable")

// Options configures NewHost. The zero value is valid.
type Options struct {
	// Registerer receives the host's metrics. Nil means they are kept but not
	// exported. Pass the server's registry rather than relying on the global
	// default, so tests and several hosts in one process do not collide.
	Registerer prometheus.Registerer

	// StartTimeout bounds starting each plugin: the handshake, then Info,
	// Configure and the health check together. Zero means 10s.
	StartTimeout time.Duration
}

const defaultStartTimeout = 10 * time.Second

// Host runs the manifest's plugins and asks them about content. It is safe
// for concurrent use. Close it to stop the plugin processes.
type Host struct {
	logger    *slog.Logger
	decisions *prometheus.CounterVec

	// table is what calls are routed by. It is replaced whole (never
	// mutated), so a later hot swap can install a new one atomically while
	// in-flight calls finish on the old.
	table atomic.Pointer[table]

	closeOnce sync.Once
	closed    atomic.Bool
}

// table is one immutable generation of running plugins.
type table struct {
	running     []*runningPlugin // enabled plugins, manifest order
	disabled    []PluginSpec     // listed by Plugins, never started
	checkStatus []*runningPlugin // those routed HookCheckStatus, manifest order
}

// NewHost starts every enabled plugin of m, in order, and returns once all
// are verified, configured and healthy. If any fails, the ones already
// started are stopped and the error names the plugin and the cause. An empty
// manifest gives a Host that allows everything.
//
// ctx bounds the start (with Options.StartTimeout per plugin); it is not kept.
// A nil logger discards the host's logs, including the plugins' stderr.
func NewHost(ctx context.Context, m *Manifest, logger *slog.Logger, opts Options) (*Host, error) {
	if m == nil {
		return nil, errors.New("policy: NewHost: nil manifest")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("policy: invalid manifest: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = defaultStartTimeout
	}
	decisions, err := newDecisionCounter(opts.Registerer)
	if err != nil {
		return nil, err
	}
	h := &Host{logger: logger, decisions: decisions}

	t := &table{}
	for _, spec := range m.Plugins {
		if !spec.Enabled {
			t.disabled = append(t.disabled, spec)
			continue
		}
		p, err := startPlugin(ctx, m.binaryPath(spec), spec, logger, opts.StartTimeout)
		if err != nil {
			killAll(t.running)
			return nil, err
		}
		t.running = append(t.running, p)
		if p.routes(pluginsdk.HookCheckStatus) {
			t.checkStatus = append(t.checkStatus, p)
		}
		logger.Info("policy plugin ready", "plugin", spec.Name, "version", p.version, "hooks", spec.Hooks, "fail_mode", spec.FailMode)
	}
	h.table.Store(t)
	return h, nil
}

// Close stops every plugin process and waits for them to exit. Hook calls
// after Close fail with ErrUnavailable. Close is idempotent and always
// returns nil; the error is for io.Closer.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.closed.Store(true)
		killAll(h.table.Load().running)
	})
	return nil
}

// killAll stops plugins concurrently: each Kill may wait a moment for a
// graceful exit, and shutdown should not add those waits up.
func killAll(ps []*runningPlugin) {
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(p.client.Kill)
	}
	wg.Wait()
}

// State is a plugin's condition as Plugins reports it.
type State string

// Plugin states.
const (
	// StateReady: started, verified and receiving calls.
	StateReady State = "ready"
	// StateExited: the process died; calls fail and the fail mode applies.
	StateExited State = "exited"
	// StateStopped: the host was closed.
	StateStopped State = "stopped"
	// StateDisabled: listed in the manifest with enabled false; not started.
	StateDisabled State = "disabled"
)

// PluginInfo describes one manifest plugin, for `starling plugins list` and
// the admin API.
type PluginInfo struct {
	Name     string
	Version  string   // as the plugin reported it; empty if not started
	Hooks    []string // hooks routed to it, from the manifest
	State    State
	SHA256   string
	FailMode FailMode
	Timeout  time.Duration
	Path     string // resolved binary path; empty if not started
}

// Plugins lists the manifest's plugins, running ones first in manifest
// order, then the disabled ones.
func (h *Host) Plugins() []PluginInfo {
	t := h.table.Load()
	out := make([]PluginInfo, 0, len(t.running)+len(t.disabled))
	for _, p := range t.running {
		state := StateReady
		switch {
		case h.closed.Load():
			state = StateStopped
		case p.client.Exited():
			state = StateExited
		}
		out = append(out, PluginInfo{
			Name:     p.spec.Name,
			Version:  p.version,
			Hooks:    p.spec.Hooks,
			State:    state,
			SHA256:   p.spec.SHA256,
			FailMode: p.spec.FailMode,
			Timeout:  time.Duration(p.spec.Timeout),
			Path:     p.path,
		})
	}
	for _, s := range t.disabled {
		out = append(out, PluginInfo{
			Name:     s.Name,
			Hooks:    s.Hooks,
			State:    StateDisabled,
			SHA256:   s.SHA256,
			FailMode: s.FailMode,
			Timeout:  time.Duration(s.Timeout),
		})
	}
	return out
}

// newDecisionCounter creates starling_policy_decisions_total and registers
// it on reg. A collector already registered there (a second Host on the same
// registry) is reused, so counts continue rather than the start failing.
func newDecisionCounter(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "starling",
		Subsystem: "policy",
		Name:      "decisions_total",
		Help:      `Policy plugin decisions by plugin, hook and verdict; verdict "error" counts failed calls (timeout, crash).`,
	}, []string{"plugin", "hook", "verdict"})
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing, nil
			}
		}
		return nil, fmt.Errorf("policy: register metrics: %w", err)
	}
	return c, nil
}
