package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/starling-social/starling/go/pluginsdk"
)

// runningPlugin is one started, verified plugin process.
type runningPlugin struct {
	spec    PluginSpec
	path    string
	version string
	client  *plugin.Client
	policy  pluginsdk.Policy
}

func (p *runningPlugin) routes(hook string) bool { return slices.Contains(p.spec.Hooks, hook) }

// startPlugin runs the start sequence for one plugin: verify and exec the
// binary, handshake, dispense, Info, Configure, health check. Any failure
// kills the process and returns an error naming the plugin and the step.
func startPlugin(ctx context.Context, path string, spec PluginSpec, logger *slog.Logger, startTimeout time.Duration) (_ *runningPlugin, err error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("policy: plugin %q: "+format, append([]any{spec.Name}, args...)...)
	}
	if spec.SHA256 == "" {
		return nil, fail("no sha256 in the manifest; pin it with `starling plugins pin`")
	}
	want, err := hex.DecodeString(spec.SHA256)
	if err != nil {
		return nil, fail("sha256: %w", err) // Validate has checked; defensive
	}
	// Checked here, although go-plugin's SecureConfig would also fail, to
	// give the operator a plain "not found" instead of a checksum error.
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail("binary %s not found: %w", path, err)
		}
		return nil, fail("binary %s: %w", path, err)
	}

	// "plugin_name", not "plugin": go-plugin logs the binary path under "plugin".
	plog := logger.With("plugin_name", spec.Name)
	client := plugin.NewClient(clientConfig(path, want, plog, startTimeout))
	defer func() {
		if err != nil {
			client.Kill()
		}
	}()

	rpc, err := client.Client()
	if err != nil {
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			got, herr := fileSHA256(path)
			if herr != nil {
				got = "unreadable: " + herr.Error()
			}
			return nil, fail("sha256 mismatch for %s: manifest has %s, binary is %s; refusing to run it: %w", path, spec.SHA256, got, err)
		}
		return nil, fail("start %s (handshake): %w", path, err)
	}
	raw, err := rpc.Dispense(pluginsdk.PluginKey)
	if err != nil {
		return nil, fail("dispense: %w", err)
	}
	pol, ok := raw.(pluginsdk.Policy)
	if !ok {
		return nil, fail("dispensed %T, which is not a pluginsdk.Policy", raw)
	}

	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	info, err := pol.Info(ctx, &pluginsdk.InfoRequest{})
	if err != nil {
		return nil, fail("Info: %w", err)
	}
	if info.Name != spec.Name {
		return nil, fail("binary %s says it is %q; the manifest entry and the binary disagree", path, info.Name)
	}
	for _, h := range spec.Hooks {
		if !slices.Contains(info.Hooks, h) {
			return nil, fail("manifest routes hook %q, but the plugin serves only %v", h, info.Hooks)
		}
	}

	cresp, err := pol.Configure(ctx, &pluginsdk.ConfigureRequest{Config: spec.Config})
	if err != nil {
		return nil, fail("Configure: %w", err)
	}
	if cresp.Error != "" {
		return nil, fail("invalid config: %s", cresp.Error)
	}

	if err := healthCheck(ctx, rpc); err != nil {
		return nil, fail("health check: %w", err)
	}

	return &runningPlugin{spec: spec, path: path, version: info.Version, client: client, policy: pol}, nil
}

// clientConfig is the full go-plugin configuration for one plugin binary.
func clientConfig(path string, sum []byte, logger *slog.Logger, startTimeout time.Duration) *plugin.ClientConfig {
	cmd := exec.Command(path)
	// Tell the plugin how verbose to be, so it does not serialise lines the
	// host's handler would drop. go-plugin appends the host environment and
	// its own variables after this.
	cmd.Env = []string{pluginsdk.LogLevelEnv + "=" + pluginLogLevel(logger)}

	return &plugin.ClientConfig{
		HandshakeConfig: pluginsdk.Handshake,
		Plugins:         pluginsdk.PluginSet(nil),
		Cmd:             cmd,
		// go-plugin hashes the binary before exec: a replaced or tampered
		// binary is never run.
		SecureConfig: &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		// Only this host can talk to the plugin, and only to the process it
		// started.
		AutoMTLS:         true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// Everything the plugin writes to stderr arrives through this logger.
		Logger:       newHCLogger(logger),
		StartTimeout: startTimeout,
		// SyncStdout and SyncStderr stay nil, so go-plugin discards whatever a
		// plugin prints to its redirected os.Stdout/os.Stderr: the contract is
		// that plugins log to the real stderr (pluginsdk.Serve's logger).
	}
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
