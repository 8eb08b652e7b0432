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
// list them in the manifest. A hook's name is its version: an incompatible
// change to a hook's request or response gets a new name (e.g. "rank_v2")
// served beside the old one, so old plugins keep working; compatible changes
// only add fields. Handshake.ProtocolVersion changes only if the transport
// itself does.
const (
	// HookCheckStatus judges a status before it is stored, on create and on
	// edit: StatusChecker.CheckStatus.
	HookCheckStatus = "check_status"
	// HookCheckAccount judges an account at sign-up and on profile changes:
	// AccountChecker.CheckAccount.
	HookCheckAccount = "check_account"
	// HookRank orders candidates (For-you, suggestions, search results) in
	// one batched call: Ranker.Rank.
	HookRank = "rank"
)

// Hooks lists every hook this SDK knows, in the order the host documents them.
var Hooks = []string{HookCheckStatus, HookCheckAccount, HookRank}

// LogLevelEnv is the environment variable through which the host tells a
// plugin how verbosely to log (an hclog level name: "trace", "debug",
// "info", ...). Serve honours it, so a plugin does not serialise debug lines
// the host would drop anyway.
const LogLevelEnv = "STARLING_PLUGIN_LOG_LEVEL"

// Policy is what every plugin implements: it names itself and accepts its
// configuration. A plugin also implements the interface of each hook it
// serves (StatusChecker, AccountChecker, Ranker) and lists those hooks in
// InfoResponse.Hooks. Every method takes a context, which carries the host's
// per-call deadline, and must return when it is done. A decision (reject,
// flag, ...) is a response; a non-nil error means the plugin failed, and the
// host applies the plugin's fail mode.
//
// Methods may be called concurrently.
type Policy interface {
	// Info names the plugin, its version and the hooks it serves. The host
	// calls it once at start and refuses the plugin if the name differs
	// from the manifest's, the version differs from a version the manifest
	// pins, or a hook the manifest lists is not served.
	Info(ctx context.Context, req *InfoRequest) (*InfoResponse, error)

	// Configure hands the plugin its configuration from the manifest before
	// any hook is called. An invalid configuration is reported in
	// ConfigureResponse.Error, and the host refuses to start with it.
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)
}

// StatusChecker serves HookCheckStatus.
type StatusChecker interface {
	// CheckStatus judges a status before it is stored (new or edited).
	CheckStatus(ctx context.Context, req *CheckStatusRequest) (*CheckStatusResponse, error)
}

// AccountChecker serves HookCheckAccount.
type AccountChecker interface {
	// CheckAccount judges an account at sign-up or after a profile change.
	// Only VerdictAllow, VerdictReject and VerdictFlag are valid answers.
	CheckAccount(ctx context.Context, req *CheckAccountRequest) (*CheckAccountResponse, error)
}

// Ranker serves HookRank.
type Ranker interface {
	// Rank orders a request's candidates, all in one call.
	Rank(ctx context.Context, req *RankRequest) (*RankResponse, error)
}

// Client is the host's view of a plugin: every hook, whichever the plugin
// serves (a hook it does not serve fails with codes.Unimplemented).
type Client interface {
	Policy
	StatusChecker
	AccountChecker
	Ranker
}

// PluginSet is the go-plugin plugin set for a host: it dispenses a Client
// under PluginKey. A nil impl is right for the host side.
func PluginSet(impl Policy) plugin.PluginSet {
	return plugin.PluginSet{PluginKey: &GRPCPlugin{Impl: impl}}
}
