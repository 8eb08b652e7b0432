package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/tracing"
)

// ErrUnavailable wraps the error of a call refused because a fail-closed
// plugin failed (timeout, crash, restarting) or the host is closed. The api
// layer maps it to 503.
var ErrUnavailable = errors.New("policy: moderation unavailable")

// ErrUnknownPlugin is returned for a plugin name the manifest does not list.
var ErrUnknownPlugin = errors.New("policy: unknown plugin")

// Options tune a Host. The zero value is valid.
type Options struct {
	// Registerer receives the host's metrics. Nil means they are kept but not
	// exported. Pass the server's registry rather than relying on the global
	// default, so tests and several hosts in one process do not collide.
	Registerer prometheus.Registerer

	// StartTimeout bounds starting each plugin: exec and handshake, then
	// Info, Configure, the health check and the canary calls together.
	// Zero means 10s.
	StartTimeout time.Duration

	// Audit receives every decision other than allow. Nil: logged only.
	Audit AuditLog

	// ExecDir is where the private directory for verified copies of the
	// binaries is made (see stager). Empty means os.TempDir(). It must
	// allow exec (not mounted noexec).
	ExecDir string

	// TraceEndpoint is the OTLP/HTTP collector URL the plugins export their
	// spans to (see pluginsdk.TraceEndpointEnv); empty: they do not trace.
	TraceEndpoint string
}

const defaultStartTimeout = 10 * time.Second

// Host runs the manifest's plugins, supervises them and asks them about
// content. It is safe for concurrent use. Close it to stop the processes.
type Host struct {
	logger  *slog.Logger
	opts    Options
	metrics *metrics
	spawner *spawner
	stager  *stager
	execDir string

	// mu serialises changes to the set of slots and the manifest they came
	// from (reload, enable, disable, the watcher).
	mu          sync.Mutex
	manifest    *Manifest
	manifestDir atomic.Pointer[string] // manifest.Dir, read without mu by starts
	slots       map[string]*slot

	// routes is what calls are routed by. It is replaced whole, never
	// mutated, so a change of order or hooks takes effect atomically.
	routes atomic.Pointer[routes]

	closeOnce sync.Once
	closed    atomic.Bool
}

// routes is one immutable routing table.
type routes struct {
	all    []*slot            // every manifest plugin, in call order
	byHook map[string][]*slot // enabled plugins serving each hook, in call order
}

// NewHost starts every enabled plugin of m, in order, and returns once all
// are verified, configured, healthy and have answered a canary call. If any
// fails, the ones already started are stopped and the error names the
// plugin and the step: the server refuses to start with a broken manifest
// rather than run without the moderation the operator configured. An empty
// manifest gives a Host that allows everything.
//
// Reload, SetEnabled and Watch re-read the manifest from m.File (set by
// LoadManifest). ctx bounds the start; it is not kept. A nil logger discards
// the host's logs, including the plugins' stderr.
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
	met, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	execDir, err := newExecDir(opts.ExecDir)
	if err != nil {
		return nil, err
	}
	h := &Host{logger: logger, opts: opts, metrics: met, spawner: newSpawner(), stager: newStager(execDir), execDir: execDir,
		slots: map[string]*slot{}}
	h.setManifest(m)
	h.routes.Store(&routes{})
	for i, spec := range m.Plugins {
		h.slots[spec.Name] = newSlot(h, spec, i)
	}
	for _, spec := range m.ordered() {
		if !spec.Enabled {
			continue
		}
		if err := h.slots[spec.Name].start(ctx, spec); err != nil {
			h.Close()
			return nil, err
		}
		in := h.slots[spec.Name].cur.Load()
		logger.Info("policy plugin ready", "plugin", spec.Name, "version", in.version, "pid", in.pid,
			"hooks", spec.Hooks, "fail_mode", spec.FailMode)
	}
	h.rebuildRoutes()
	return h, nil
}

// binaryPath is spec's binary, resolved against the manifest's directory.
func (h *Host) binaryPath(spec PluginSpec) string {
	return (&Manifest{Dir: *h.manifestDir.Load()}).binaryPath(spec)
}

// setManifest records m as the applied manifest. Callers hold h.mu.
func (h *Host) setManifest(m *Manifest) {
	h.manifest = m
	h.manifestDir.Store(&m.Dir)
}

// rebuildRoutes installs a routing table for the slots' applied specs.
// Callers hold h.mu, or are NewHost.
func (h *Host) rebuildRoutes() {
	all := make([]*slot, 0, len(h.slots))
	for _, s := range h.slots {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *slot) int {
		if d := a.spec.Load().Order - b.spec.Load().Order; d != 0 {
			return d
		}
		return a.index - b.index
	})
	r := &routes{all: all, byHook: map[string][]*slot{}}
	for _, s := range all {
		spec := s.spec.Load()
		if !spec.Enabled {
			continue
		}
		for _, hk := range spec.Hooks {
			r.byHook[hk] = append(r.byHook[hk], s)
		}
	}
	h.routes.Store(r)
}

// Close stops every plugin process and waits for them to exit. Hook calls
// after Close fail with ErrUnavailable. Close is idempotent and always
// returns nil; the error is for io.Closer.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.closed.Store(true)
		h.mu.Lock()
		slots := make([]*slot, 0, len(h.slots))
		for _, s := range h.slots {
			slots = append(slots, s)
		}
		h.mu.Unlock()
		// Concurrently: each stop may wait a moment for a graceful exit,
		// and shutdown should not add those waits up.
		var wg sync.WaitGroup
		for _, s := range slots {
			wg.Go(s.close)
		}
		wg.Wait()
		// On the spawner, where starts stage and exec: no start is between
		// the two when a sealed copy's descriptor closes.
		h.spawner.do(h.stager.close)
		_ = os.RemoveAll(h.execDir)
	})
	return nil
}

// Ready reports an error naming every enabled plugin that is not ready
// (starting or restarting after a crash), for /readyz.
func (h *Host) Ready(context.Context) error {
	if h.closed.Load() {
		return errors.New("policy host closed")
	}
	var down []string
	for _, s := range h.routes.Load().all {
		if !s.spec.Load().Enabled {
			continue
		}
		if st, why := s.getState(); st != StateReady {
			down = append(down, fmt.Sprintf("%s %s (%s)", s.name, st, why))
		}
	}
	if len(down) > 0 {
		return fmt.Errorf("policy plugins not ready: %s", strings.Join(down, "; "))
	}
	return nil
}

// PluginInfo describes one manifest plugin, for the admin API (which owns
// its JSON form) and so `starling plugins list`.
type PluginInfo struct {
	Name      string
	Version   string // as the running plugin reported it; empty if not running
	SHA256    string // pinned, and verified for the running version
	State     State
	LastError string // why it is not ready, or why the last swap failed
	Enabled   bool
	Hooks     []string
	FailMode  FailMode
	Timeout   time.Duration
	Order     int
	Path      string // resolved binary path
	PID       int
	Started   time.Time
	Calls     int64 // since the server started, across versions
	Errors    int64 // failed calls among them
	P50       time.Duration
	P99       time.Duration
	Restarts  int64
	Swaps     int64
	LastSwap  time.Duration // how long the last swap took to make the new version current
}

// Plugins lists the manifest's plugins in call order, disabled ones included.
func (h *Host) Plugins() []PluginInfo {
	r := h.routes.Load()
	out := make([]PluginInfo, 0, len(r.all))
	for _, s := range r.all {
		spec := s.spec.Load()
		st, why := s.getState()
		s.mu.Lock()
		restarts, swaps, lastSwap := s.restarts, s.swaps, s.lastSwap
		s.mu.Unlock()
		pi := PluginInfo{
			Name: s.name, SHA256: spec.SHA256, State: st, LastError: why, Enabled: spec.Enabled,
			Hooks: spec.Hooks, FailMode: spec.FailMode, Timeout: time.Duration(spec.Timeout), Order: spec.Order,
			Path: h.binaryPath(*spec), Calls: s.stats.calls.Load(), Errors: s.stats.errors.Load(),
			P50: s.stats.quantile(0.50), P99: s.stats.quantile(0.99),
			Restarts: restarts, Swaps: swaps, LastSwap: lastSwap,
		}
		if in := s.cur.Load(); in != nil {
			pi.Version, pi.PID, pi.Started, pi.SHA256 = in.version, in.pid, in.started, in.spec.SHA256
		}
		out = append(out, pi)
	}
	return out
}

// call makes one hook call on s's current instance with the hook's timeout
// and records it. It returns the instance that answered, released, so the
// caller can attribute the decision to its version; with no instance
// running it fails at once (errNotRunning), and the fail mode decides.
func call[T any](ctx context.Context, h *Host, s *slot, hook string, fn func(context.Context, pluginsdk.Client) (*T, error)) (*T, *instance, error) {
	in := s.acquire()
	if in == nil {
		s.stats.observe(0, true)
		return nil, nil, errNotRunning
	}
	defer in.mu.RUnlock()
	ctx, cancel := context.WithTimeout(ctx, in.spec.timeout(hook))
	defer cancel()
	// The gRPC client span (otelgrpc) nests under this one and carries the
	// trace context into the plugin process.
	ctx, span := tracing.Child(ctx, "policy."+hook, trace.SpanKindInternal,
		attribute.String("plugin.name", s.name), attribute.String("plugin.version", in.version))
	start := time.Now()
	resp, err := fn(ctx, in.rpc)
	if err == nil && resp == nil {
		err = errors.New("nil response")
	}
	tracing.End(span, err)
	if err == nil {
		cleanResponse(resp)
	}
	d := time.Since(start)
	s.stats.observe(d, err != nil)
	in.durations[hook].Observe(d.Seconds())
	return resp, in, err
}

// errNotRunning is a call to a plugin that is restarting or disabled.
var errNotRunning = errors.New("plugin is not running (restarting)")

// cleanResponse bounds and sanitizes the reason in a plugin's answer before
// the host logs, stores or shows it.
func cleanResponse(resp any) {
	switch r := resp.(type) {
	case *pluginsdk.CheckStatusResponse:
		r.Reason = cleanText(r.Reason, maxReason)
	case *pluginsdk.CheckAccountResponse:
		r.Reason = cleanText(r.Reason, maxReason)
	}
}
