package pluginsdk

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ServeOption configures Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	logger hclog.Logger
}

// WithLogger makes Serve and its request logging use logger. It must write
// to stderr (or somewhere else that is not stdout, which go-plugin owns);
// JSON output lets the host keep each line's level and fields.
func WithLogger(logger hclog.Logger) ServeOption {
	return func(c *serveConfig) { c.logger = logger }
}

// Serve serves impl to the Starling host and returns when the host stops the
// plugin. It must be called from main; run by hand (without the host's
// handshake) it prints an explanation to stderr and exits.
//
// Serve asks impl.Info for the plugin's name, to name its log lines. From
// here on anything the plugin prints to os.Stdout is discarded by the host:
// log through the logger instead.
func Serve(impl Policy, opts ...ServeOption) {
	cfg := serveConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		name := "plugin"
		if info, err := impl.Info(context.Background(), &InfoRequest{}); err == nil && info != nil && info.Name != "" {
			name = info.Name
		}
		cfg.logger = hclog.New(&hclog.LoggerOptions{
			Name:       name,
			Level:      hclog.LevelFromString(os.Getenv(LogLevelEnv)),
			Output:     os.Stderr,
			JSONFormat: true,
		})
	}

	go exitWithParent(cfg.logger)

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         PluginSet(impl),
		Logger:          cfg.logger,
		GRPCServer: func(sopts []grpc.ServerOption) *grpc.Server {
			// go-plugin has added TLS credentials to sopts if the host
			// asked for mutual TLS by passing its certificate.
			sopts = append(sopts, serverOptions(os.Getenv(envClientCert) != "")...)
			sopts = append(sopts, grpc.ChainUnaryInterceptor(loggingInterceptor(cfg.logger)))
			return grpc.NewServer(sopts...)
		},
	})
}

// envClientCert is where go-plugin passes the host's certificate when the
// host uses automatic mutual TLS.
const envClientCert = "PLUGIN_CLIENT_CERT"

// loggingInterceptor logs every call once, with its duration and outcome, so
// the Policy adapters carry no per-method logging prologue. It also turns a
// panic in the implementation into a codes.Internal error: the host then
// applies the plugin's fail mode to that one call, instead of every
// in-flight call failing with the process.
func loggingInterceptor(logger hclog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				logger.Error("panic in plugin method", "method", info.FullMethod, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp, err = nil, status.Errorf(codes.Internal, "plugin panicked: %v", p)
			}
			d := time.Since(start)
			if err != nil {
				logger.Error("plugin call failed", "method", info.FullMethod, "duration", d, "error", err)
				return
			}
			if logger.IsDebug() { // spare the arguments' allocations per call
				logger.Debug("plugin call", "method", info.FullMethod, "duration", d)
			}
		}()
		return handler(ctx, req)
	}
}

// exitWithParent stops the plugin once the host process is gone. go-plugin
// itself does not notice a host that died without killing its plugins (a
// crash, SIGKILL), and an orphaned plugin would hold its resources forever.
// On Linux the Starling host also sets a parent-death signal, which kills
// the plugin at once; polling the parent PID is the portable second line,
// and a few seconds' delay there costs nothing.
func exitWithParent(logger hclog.Logger) {
	parent := os.Getppid()
	for range time.Tick(2 * time.Second) {
		if os.Getppid() != parent {
			logger.Warn("host process is gone; exiting")
			os.Exit(1)
		}
	}
}
