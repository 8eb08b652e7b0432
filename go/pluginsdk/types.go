package pluginsdk

import (
	"encoding/json"
	"fmt"
	"time"
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
	StatusID    int64  // the status being edited; 0 for a new status

	// The author's account, for rules stricter on new accounts.
	AccountCreatedAt      time.Time
	AccountStatusesCount  int64
	AccountFollowersCount int64
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
	// Decisions is set by the host: every plugin's non-allow verdict, in
	// call order, for the audit log and the flagged-status list.
	Decisions []Decision
}

// Decision is one plugin's non-allow verdict, as the host records it.
type Decision struct {
	Plugin  string
	Version string
	Hook    string
	Verdict Verdict
	Reason  string
}

// Account events, CheckAccountRequest.Event.
const (
	AccountSignup  = "signup"
	AccountProfile = "profile"
)

// CheckAccountRequest is an account at sign-up (Event AccountSignup) or
// after its profile changed (AccountProfile).
type CheckAccountRequest struct {
	AccountID   int64 // 0 at sign-up: the account is not stored yet
	Username    string
	DisplayName string
	Note        string // bio, plain text as typed
	Event       string
	CreatedAt   time.Time // zero at sign-up
}

// CheckAccountResponse is a decision about an account: VerdictAllow,
// VerdictReject (sign-up or change refused, Reason shown to the user) or
// VerdictFlag (accepted and listed for moderators). Host.CheckAccount also
// fills Plugin on a reject and Decisions.
type CheckAccountResponse struct {
	Verdict   Verdict
	Reason    string
	Plugin    string
	Decisions []Decision
}

// Ranking surfaces, RankRequest.Surface.
const (
	SurfaceForYou      = "for_you"
	SurfaceSuggestions = "suggestions"
	SurfaceSearch      = "search"
)

// RankRequest is one request's candidates, already filtered by what the
// viewer may see. A plugin can only reorder or drop them: the host ignores
// any ID it did not send, and filters by visibility again afterwards.
type RankRequest struct {
	ViewerID   int64 // 0 for an anonymous viewer
	Surface    string
	Query      string // for SurfaceSearch
	Candidates []Candidate
	Now        time.Time // the host's clock: compute ages from it
}

// Candidate is one item to rank with its features.
type Candidate struct {
	ID              int64 // status ID, or account ID for suggestions
	AuthorID        int64
	CreatedAt       time.Time
	Favourites      int64
	Reblogs         int64
	Replies         int64
	Affinity        float64 // viewer's interaction with the author, 0..1
	Similarity      float64 // to the query or the viewer's interests, -1..1
	FollowingAuthor bool
	Features        map[string]float64 // further named features
}

// RankResponse is a plugin's ranking: either Scores, one per candidate in
// request order (higher first; ties keep the request order), or Order,
// candidate IDs best first (IDs left out are dropped). Host.Rank returns the
// final Order.
type RankResponse struct {
	Scores []float64
	Order  []int64
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
