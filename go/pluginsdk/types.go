package pluginsdk

import (
	"encoding/json"
	"fmt"
)

// InfoRequest asks a plugin to describe itself. It is empty today; it exists
// so fields can be added without changing Policy.Info's signature.
type InfoRequest struct{}

// InfoResponse describes a plugin.
type InfoResponse struct {
	// Name must equal the plugin's name in the host's manifest.
	Name string
	// Version is free-form (semver recommended); operators see it in
	// `starling plugins list`.
	Version string
	// Hooks lists the hooks the plugin serves, e.g. HookCheckStatus.
	Hooks []string
}

// ConfigureRequest carries a plugin's configuration.
type ConfigureRequest struct {
	// Config is the "config" object of the plugin's manifest entry, as JSON.
	// It is empty when the manifest has none.
	Config json.RawMessage
}

// ConfigureResponse reports whether a configuration was accepted.
type ConfigureResponse struct {
	// Error is empty when the configuration is accepted; otherwise it says
	// what is wrong (e.g. `action: must be "reject" or "mask"`) and the host
	// refuses to start. It is a field rather than Configure's error because
	// a bad configuration is the operator's mistake, not a plugin failure.
	Error string
}

// CheckStatusRequest is a status about to be stored.
type CheckStatusRequest struct {
	AccountID   int64  // author
	Username    string // author's local username
	Text        string // status text as the author wrote it (after any earlier plugin's rewrite)
	SpoilerText string // content warning, may be empty
	Visibility  string // "public", "unlisted", "private" or "direct"
	Language    string // ISO 639 code, may be empty
}

// CheckStatusResponse is a decision about a status.
//
// A plugin sets Verdict, Reason and, for VerdictRewrite, Text and
// SpoilerText. Host.CheckStatus (package policy) returns the same type for
// the combined decision of all plugins and then also fills Sensitive, Flagged
// and Plugin, which the host ignores when a plugin sets them.
type CheckStatusResponse struct {
	// Verdict is the decision; the zero value allows the status.
	Verdict Verdict
	// Reason explains a verdict other than allow. For a reject it is shown
	// to the author, so it should not reveal the plugin's rules (e.g. a
	// word list); it is always written to the host's audit log.
	Reason string
	// Text and SpoilerText are the rewritten status with VerdictRewrite.
	// Both replace the originals, so copy the one you do not change.
	Text        string
	SpoilerText string

	// Sensitive is set by the host when any plugin said
	// VerdictMarkSensitive, even if a rewrite decided the overall Verdict.
	Sensitive bool
	// Flagged is set by the host when any plugin said VerdictFlag.
	Flagged bool
	// Plugin is set by the host on a reject: the plugin that rejected.
	Plugin string
}

// Verdict is a plugin's decision about a status.
type Verdict int

// Verdicts. New ones are only ever appended.
const (
	// VerdictAllow lets the status through unchanged.
	VerdictAllow Verdict = iota
	// VerdictReject refuses the status; Reason tells the author why.
	VerdictReject
	// VerdictFlag stores the status and puts it before moderators.
	VerdictFlag
	// VerdictMarkSensitive stores the status behind a sensitive-media
	// warning.
	VerdictMarkSensitive
	// VerdictRewrite stores the status with the response's Text and
	// SpoilerText instead of the author's.
	VerdictRewrite
)

var verdictNames = [...]string{
	VerdictAllow:         "allow",
	VerdictReject:        "reject",
	VerdictFlag:          "flag",
	VerdictMarkSensitive: "mark_sensitive",
	VerdictRewrite:       "rewrite",
}

// String returns the verdict's name as used in metrics and logs, e.g.
// "mark_sensitive".
func (v Verdict) String() string {
	if v >= 0 && int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}
