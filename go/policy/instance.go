package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/starling-social/starling/go/pluginsdk"
)

// instance is one started, verified plugin process: one version of a
// plugin. A slot routes calls to its current instance; a hot swap or a
// restart replaces the instance, never mutates it.
type instance struct {
	spec    PluginSpec
	path    string // the manifest's binary (what the operator installed)
	version string
	// durations holds each hook's latency histogram child for this
	// plugin and version, looked up once rather than on every call.
	durations map[string]prometheus.Observer
	client    *plugin.Client
	conn      plugin.ClientProtocol // for health checks
	rpc       pluginsdk.Client
	pid       int
	started   time.Time

	// mu is held shared by every call and exclusively by retire, so retire
	// waits for the calls in flight (the drain) and no call starts after it.
	mu      sync.RWMutex
	retired bool
}

// startError names the start sequence's step that failed, so an operator
// reading a failed reload sees where it failed.
type startError struct {
	Plugin string
	Step   string // "verify", "exec", "handshake", "info", "configure", "health", "canary"
	Err    error
}

func (e *startError) Error() string {
	return fmt.Sprintf("policy: plugin %q: %s: %v", e.Plugin, e.Step, e.Err)
}

func (e *startError) Unwrap() error { return e.Err }

// testHookStaged, when set by a test, runs after the binary is verified and
// staged and before it is executed: the window of the old hash-then-exec race.
var testHookStaged func(src, staged string)

// startInstance runs the whole start sequence for spec: verify and stage the
// binary, exec it (with the parent-death signal), handshake, Info (name,
// version and hooks must match the manifest), Configure, health check, and
// one canary call per hook. Any failure kills the process.
func (h *Host) startInstance(ctx context.Context, path string, spec PluginSpec) (_ *instance, err error) {
	fail := func(step string, err error) error { return &startError{Plugin: spec.Name, Step: step, Err: err} }
	if spec.SHA256 == "" {
		return nil, fail("verify", errors.New("no sha256 in the manifest; pin it with `starling plugins pin`"))
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.StartTimeout)
	defer cancel()

	plog := h.logger.With("plugin_name", spec.Name) // go-plugin logs the path under "plugin"
	var (
		client *plugin.Client
		rpc    plugin.ClientProtocol
		staged string
		begin  = time.Now()
		tStage time.Duration
	)
	for attempt := 0; ; attempt++ {
		h.spawner.do(func() {
			staged, err = h.stager.stage(path, spec.SHA256)
			tStage = time.Since(begin)
			if err != nil {
				return
			}
			if testHookStaged != nil {
				testHookStaged(path, staged)
			}
			client = plugin.NewClient(h.clientConfig(path, staged, plog))
			rpc, err = client.Client()
		})
		if err == nil || staged == "" || !isTextBusy(err) || attempt == 3 {
			break
		}
		client.Kill()
	}
	if err != nil {
		if client != nil {
			client.Kill()
		}
		if staged == "" {
			return nil, fail("verify", err)
		}
		return nil, fail("exec and handshake", err)
	}
	defer func() {
		if err != nil {
			client.Kill()
		}
	}()
	raw, err := rpc.Dispense(pluginsdk.PluginKey)
	if err != nil {
		return nil, fail("dispense", err)
	}
	pc, ok := raw.(pluginsdk.Client)
	if !ok {
		return nil, fail("dispense", fmt.Errorf("dispensed %T, which is not a pluginsdk.Client", raw))
	}

	info, err := pc.Info(ctx, &pluginsdk.InfoRequest{})
	if err != nil {
		return nil, fail("info", err)
	}
	if info.Name != spec.Name {
		return nil, fail("info", fmt.Errorf("binary %s says it is %q; the manifest entry and the binary disagree", path, info.Name))
	}
	if spec.Version != "" && info.Version != spec.Version {
		return nil, fail("info", fmt.Errorf("binary %s is version %q, the manifest pins %q", path, info.Version, spec.Version))
	}
	for _, hk := range spec.Hooks {
		if !slices.Contains(info.Hooks, hk) {
			return nil, fail("info", fmt.Errorf("manifest routes hook %q, but the plugin serves only %v", hk, info.Hooks))
		}
	}
	cresp, err := pc.Configure(ctx, &pluginsdk.ConfigureRequest{Config: spec.Config})
	if err != nil {
		return nil, fail("configure", err)
	}
	if cresp.Error != "" {
		return nil, fail("configure", fmt.Errorf("invalid config: %s", cresp.Error))
	}
	tExec := time.Since(begin)
	if err := healthCheck(ctx, rpc); err != nil {
		return nil, fail("health", err)
	}
	inst := &instance{spec: spec, path: path, version: cleanText(info.Version, 64), client: client, conn: rpc, rpc: pc, started: time.Now(),
		durations: map[string]prometheus.Observer{}}
	for _, hk := range knownHooks {
		inst.durations[hk] = h.metrics.duration.WithLabelValues(spec.Name, inst.version, hk)
	}
	if rc := client.ReattachConfig(); rc != nil {
		inst.pid = rc.Pid
	}
	if err := inst.canary(ctx); err != nil {
		return nil, fail("canary", err)
	}
	plog.Debug("policy plugin started", "version", inst.version, "pid", inst.pid,
		"verify_and_stage", tStage, "exec_handshake_info_configure", tExec-tStage, "health_and_canary", time.Since(begin)-tExec)
	return inst, nil
}

// canary makes one call per routed hook and checks the answer is well
// formed, so a version that starts but cannot answer never receives traffic.
// The verdicts do not matter and are neither counted nor audited. The calls
// get what is left of the start timeout rather than the hook's timeout: the
// first call on a fresh process also warms it up.
func (in *instance) canary(ctx context.Context) error {
	for _, hk := range in.spec.Hooks {
		cctx, cancel := context.WithCancel(pluginsdk.CanaryContext(ctx))
		var err error
		switch hk {
		case pluginsdk.HookCheckStatus:
			_, err = in.rpc.CheckStatus(cctx, &pluginsdk.CheckStatusRequest{Text: "Starling canary call", Visibility: "public"})
		case pluginsdk.HookCheckAccount:
			_, err = in.rpc.CheckAccount(cctx, &pluginsdk.CheckAccountRequest{Username: "canary", Event: pluginsdk.AccountSignup})
		case pluginsdk.HookRank:
			req := &pluginsdk.RankRequest{Surface: pluginsdk.SurfaceSearch, Now: time.Now(),
				Candidates: []pluginsdk.Candidate{{ID: 1, CreatedAt: time.Now()}, {ID: 2, CreatedAt: time.Now()}}}
			var resp *pluginsdk.RankResponse
			if resp, err = in.rpc.Rank(cctx, req); err == nil {
				_, err = applyRanking(req.Candidates, resp)
			}
		}
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", hk, err)
		}
	}
	return nil
}

// acquire pins the instance for one call; release with in.mu.RUnlock. It
// fails once the instance is retired (or being retired), and the caller
// loads the slot's successor instead.
func (in *instance) acquire() bool {
	if !in.mu.TryRLock() {
		return false
	}
	if in.retired {
		in.mu.RUnlock()
		return false
	}
	return true
}

// retire waits for the calls in flight (each bounded by its timeout), stops
// new ones and stops the process gracefully.
func (in *instance) retire() {
	in.mu.Lock()
	in.retired = true
	in.mu.Unlock()
	in.client.Kill()
}

// kill is retire for a process that is dead or hung: SIGKILL first, so the
// calls in flight fail at once instead of at their timeouts, and go-plugin's
// graceful shutdown (an RPC with no deadline) cannot block on a frozen
// process.
func (in *instance) kill() {
	if !in.exited() && in.pid > 0 {
		if p, err := os.FindProcess(in.pid); err == nil {
			_ = p.Kill()
		}
	}
	in.retire()
}

// exited reports whether the process is gone.
func (in *instance) exited() bool { return in.client.Exited() }

// clientConfig is the full go-plugin configuration for one staged binary.
// SecureConfig stays nil on purpose: stageBinary has verified exactly the
// file executed, and go-plugin's own check would hash a path again.
func (h *Host) clientConfig(path, staged string, logger *slog.Logger) *plugin.ClientConfig {
	cmd := exec.Command(staged)
	// The plugin sees the installed name as argv[0], not the staged copy's.
	cmd.Args = []string{path}
	// Tell the plugin how verbose to be, so it does not serialise lines the
	// host's handler would drop, where to put its socket, and where to send
	// its spans.
	cmd.Env = pluginEnv(logger, h.execDir, h.opts.TraceEndpoint)
	dieWithParent(cmd)

	return &plugin.ClientConfig{
		HandshakeConfig: pluginsdk.Handshake,
		Plugins:         pluginsdk.PluginSet(nil),
		Cmd:             cmd,
		SkipHostEnv:     true, // pluginEnv has it, with our socket directory last
		// Only this host can talk to the plugin, and only to the process it
		// started: the kernel's peer credentials say so where the platform
		// has them (see pluginsdk.HostDialOptions), mutual TLS elsewhere.
		AutoMTLS: !pluginsdk.PeerAuth,
		// Policy calls carry the W3C trace context to the plugin.
		GRPCDialOptions: append(pluginsdk.HostDialOptions(func() int {
			if cmd.Process == nil {
				return -1
			}
			return cmd.Process.Pid
		}), grpc.WithStatsHandler(pluginsdk.TraceHandler(false))),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// Everything the plugin writes to stderr arrives through this logger.
		Logger:       newHCLogger(logger),
		StartTimeout: h.opts.StartTimeout,
		// A plugin must never write to stdout (go-plugin's handshake uses
		// it); once it serves, go-plugin redirects os.Stdout and hands what
		// it writes here, where it is reported and otherwise ignored.
		SyncStdout: &strayOutput{logger: logger, stream: "stdout"},
		SyncStderr: &strayOutput{logger: logger, stream: "stderr"},
	}
}

// pluginEnv is a plugin's environment: the host's, the log level, and the
// directory for the plugin's socket, the host's private 0700 directory, so
// no other user can reach the socket. go-plugin appends its own variables.
func pluginEnv(logger *slog.Logger, socketDir, traceEndpoint string) []string {
	env := []string{pluginsdk.LogLevelEnv + "=" + pluginLogLevel(logger)}
	if traceEndpoint != "" {
		// Before the host environment, which wins, as it did when
		// go-plugin appended it.
		env = append(env, pluginsdk.TraceEndpointEnv+"="+traceEndpoint)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, plugin.EnvUnixSocketDir+"=") && !strings.HasPrefix(kv, plugin.EnvUnixSocketGroup+"=") {
			env = append(env, kv)
		}
	}
	return append(env, plugin.EnvUnixSocketDir+"="+socketDir)
}

// strayOutput logs what a plugin printed to its redirected os.Stdout or
// os.Stderr (plugins should log through pluginsdk.Serve's logger instead),
// a line at a time and bounded, so a chatty plugin cannot flood the log.
type strayOutput struct {
	logger *slog.Logger
	stream string
	lines  atomic.Int64
}

const maxStrayLines = 100

func (w *strayOutput) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		switch n := w.lines.Add(1); {
		case n < maxStrayLines:
			w.logger.Warn("policy plugin wrote to "+w.stream+" (ignored; plugins must log through pluginsdk)", "line", truncate(line, 512))
		case n == maxStrayLines:
			w.logger.Warn("policy plugin keeps writing to " + w.stream + "; no longer logging it")
		}
	}
	return len(p), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// pluginLogLevel is the hclog level name matching what logger writes.
func pluginLogLevel(logger *slog.Logger) string {
	return strings.ToLower(newHCLogger(logger).GetLevel().String())
}

// healthCheck asks the gRPC health service go-plugin registers in every
// plugin. It uses the connection directly because go-plugin's Ping takes no
// context and so has no deadline.
func healthCheck(ctx context.Context, rpc plugin.ClientProtocol) error {
	gc, ok := rpc.(*plugin.GRPCClient)
	if !ok {
		return fmt.Errorf("protocol client is %T, want gRPC", rpc)
	}
	resp, err := grpc_health_v1.NewHealthClient(gc.Conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil {
		return err
	}
	if s := resp.GetStatus(); s != grpc_health_v1.HealthCheckResponse_SERVING {
		return fmt.Errorf("status %s", s)
	}
	return nil
}
