// Command capsguard is the example policy plugin for plugin authors: a
// complete plugin in one file that flags statuses written mostly in capital
// letters. Start from a copy of it. README.md beside it walks through
// building it, pinning it and loading it into a running Starling.
//
// Configuration (the manifest entry's "config"):
//
//	{"min_letters": 20, "max_upper_ratio": 0.7}
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"unicode"

	"github.com/starling-social/starling/go/pluginsdk"
)

// Every plugin names itself and its version; the host checks the name (and
// the version, if the manifest pins one) before it routes any call.
const (
	name    = "capsguard"
	version = "0.1.0"
)

type config struct {
	MinLetters    int     `json:"min_letters"`     // ignore short statuses
	MaxUpperRatio float64 `json:"max_upper_ratio"` // flag above this share of upper-case letters
}

// capsGuard implements pluginsdk.Policy (Info, Configure) and
// pluginsdk.StatusChecker (the check_status hook). Methods may be called
// concurrently, so the configuration is swapped atomically.
type capsGuard struct {
	cfg atomic.Pointer[config]
}

func (*capsGuard) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{Name: name, Version: version, Hooks: []string{pluginsdk.HookCheckStatus}}, nil
}

// Configure is called once after start, before any hook. A bad
// configuration is an answer (ConfigureResponse.Error), not an error: the
// host then refuses to start the plugin and tells the operator why.
func (g *capsGuard) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	c := config{MinLetters: 20, MaxUpperRatio: 0.7}
	if len(bytes.TrimSpace(req.Config)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return &pluginsdk.ConfigureResponse{Error: "config: " + err.Error()}, nil
		}
	}
	if c.MinLetters < 1 || c.MaxUpperRatio <= 0 || c.MaxUpperRatio > 1 {
		return &pluginsdk.ConfigureResponse{Error: "min_letters must be ≥ 1 and max_upper_ratio in (0, 1]"}, nil
	}
	g.cfg.Store(&c)
	return &pluginsdk.ConfigureResponse{}, nil
}

// CheckStatus returns a decision. Returning an error means "I failed", and
// the host applies the operator's fail mode; a verdict is never an error.
func (g *capsGuard) CheckStatus(_ context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	c := g.cfg.Load()
	// Full-width capitals ("ＳＨＯＵＴ") are letters and upper case too, so
	// they count. To match words instead, normalize with package textnorm
	// first, as the bundled wordfilter does.
	var letters, upper int
	for _, r := range req.Text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if letters < c.MinLetters || float64(upper) <= c.MaxUpperRatio*float64(letters) {
		return &pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictAllow}, nil
	}
	return &pluginsdk.CheckStatusResponse{
		Verdict: pluginsdk.VerdictFlag,
		Reason:  fmt.Sprintf("%d of %d letters are capitals", upper, letters),
	}, nil
}

// main hands the implementation to the SDK. Never print to stdout: the
// handshake with the host uses it. Log through the hclog logger (stderr).
func main() {
	pluginsdk.Serve(&capsGuard{})
}
