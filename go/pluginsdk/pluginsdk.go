package pluginsdk

import (
	"context"

	"github.com/hashicorp/go-plugin"
)

// Handshake is the go-plugin handshake host and plugins share. The magic
// cookie is not security (the host verifies the binary's SHA-256 for that):
// it stops a plugin binary run by hand from waiting forever for a host, and
// stops the host from talking to a binary that is not a Starling plugin.
// ProtocolVersion changes only for an incompatible protocol change; fields
// added to policy.proto do not need it.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "STARLING_POLICY_PLUGIN",
	MagicCookieValue: "7f1c3a9e52d84b60a1e6c0f4b8d29e35",
}

// PluginKey is the name under which a plugin serves, and the host dispenses,
// the Policy implementation. Both sides use this constant (never a literal)
// so they cannot drift apart.
const PluginKey = "policy"

// Hook names, as plugins report them in InfoResponse.Hooks and operators
// list them in the manifest.
const (
	// HookCheckStatus judges a status before it is stored: Policy.CheckStatus.
	HookCheckStatus = "check_status"
)

// LogLevelEnv is the environment variable through which the host tells a
// plugin how verbosely to log (an hclog level name: "trace", "debug",
// "info", ...). Serve honours it, so a plugin does not serialise debug lines
// the host would drop anyway.
const LogLevelEnv = "STARLING_PLUGIN_LOG_LEVEL"

// Policy is what a policy plugin implements. Every method takes a context,
// which carries the host's per-call deadline, and must return when it is
// done. A decision (reject, flag, ...) is a response; a non-nil error means
// the plugin failed, and the host applies the plugin's fail mode.
//
// Methods may be called concurrently.
type Policy interface {
	// Info names the plugin, its version and the hooks it serves. The host
	// calls it once at start and refuses the plugin if the name differs
	// from the manifest's or a hook the manifest lists is not served.
	Info(ctx context.Context, req *InfoRequest) (*InfoResponse, error)

	// Configure hands the plugin its configuration from the manifest before
	// any hook is called. An invalid configuration is reported in
	// ConfigureResponse.Error, and the host refuses to start with it.
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)

	// CheckStatus judges a status before it is stored (HookCheckStatus).
	CheckStatus(ctx context.Context, req *CheckStatusRequest) (*CheckStatusResponse, error)
}

// PluginSet is the go-plugin plugin set for a host: it dispenses a Policy
// client under PluginKey. A nil impl is right for the host side.
func PluginSet(impl Policy) plugin.PluginSet {
	return plugin.PluginSet{PluginKey: &GRPCPlugin{Impl: impl}}
}
