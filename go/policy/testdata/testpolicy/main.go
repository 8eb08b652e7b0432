// Command testpolicy is a policy plugin for package policy's tests. It names
// itself after its executable (so one build, linked under several names,
// gives several plugins), reports the version linked in with
// -ldflags "-X main.version=...", and behaves as its config says:
//
//	{"mode": "...", "reason": "..."}
//
// Modes for check_status and check_account: "allow", "reject", "flag",
// "mark_sensitive", "rewrite" (appends " +<name>" to the text, so tests see
// the order rewrites chained in), "version" (flags with the version as the
// reason, so a test sees which version answered), "hang" (blocks until the
// host's deadline), "crash" (exits mid-call), "panic" (panics in the
// handler), "stdout" (writes to stdout, which go-plugin owns, then allows).
// Rank always answers the reverse order plus an ID it was never sent. The
// host's canary calls are always allowed, so a misbehaving mode still
// starts.
//
// With TESTPOLICY_STDOUT_AT_START in its environment it writes to stdout
// before serving, which breaks go-plugin's handshake.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/starling-social/starling/go/pluginsdk"
)

var version = "0.0.1-test"

type config struct {
	Mode   string `json:"mode"`
	Reason string `json:"reason"`
}

type testPolicy struct {
	name string
	cfg  atomic.Pointer[config]
}

func (p *testPolicy) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{Name: p.name, Version: version, Hooks: pluginsdk.Hooks}, nil
}

func (p *testPolicy) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	var c config
	if err := json.Unmarshal(req.Config, &c); err != nil {
		return &pluginsdk.ConfigureResponse{Error: err.Error()}, nil
	}
	switch c.Mode {
	case "allow", "reject", "flag", "mark_sensitive", "rewrite", "version", "hang", "crash", "panic", "stdout":
	default:
		return &pluginsdk.ConfigureResponse{Error: fmt.Sprintf("mode: unknown %q", c.Mode)}, nil
	}
	p.cfg.Store(&c)
	return &pluginsdk.ConfigureResponse{}, nil
}

// decide is the verdict for mode, shared by both check hooks.
func (p *testPolicy) decide(ctx context.Context) (pluginsdk.Verdict, string, error) {
	c := p.cfg.Load()
	if pluginsdk.IsCanary(ctx) {
		return pluginsdk.VerdictAllow, "", nil
	}
	switch c.Mode {
	case "reject":
		return pluginsdk.VerdictReject, c.Reason, nil
	case "flag":
		return pluginsdk.VerdictFlag, c.Reason, nil
	case "mark_sensitive":
		return pluginsdk.VerdictMarkSensitive, c.Reason, nil
	case "rewrite":
		return pluginsdk.VerdictRewrite, c.Reason, nil
	case "version":
		return pluginsdk.VerdictFlag, version, nil
	case "hang":
		<-ctx.Done()
		return 0, "", ctx.Err()
	case "crash":
		os.Exit(3)
	case "panic":
		panic("testpolicy told to panic")
	case "stdout":
		fmt.Println("testpolicy writes to stdout, which it must never do")
	}
	return pluginsdk.VerdictAllow, c.Reason, nil
}

func (p *testPolicy) CheckStatus(ctx context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	v, reason, err := p.decide(ctx)
	if err != nil {
		return nil, err
	}
	resp := &pluginsdk.CheckStatusResponse{Verdict: v, Reason: reason}
	if v == pluginsdk.VerdictRewrite {
		resp.Text, resp.SpoilerText = req.Text+" +"+p.name, req.SpoilerText
	}
	return resp, nil
}

func (p *testPolicy) CheckAccount(ctx context.Context, _ *pluginsdk.CheckAccountRequest) (*pluginsdk.CheckAccountResponse, error) {
	v, reason, err := p.decide(ctx)
	if err != nil {
		return nil, err
	}
	if v != pluginsdk.VerdictReject && v != pluginsdk.VerdictFlag {
		v = pluginsdk.VerdictAllow
	}
	return &pluginsdk.CheckAccountResponse{Verdict: v, Reason: reason}, nil
}

func (p *testPolicy) Rank(ctx context.Context, req *pluginsdk.RankRequest) (*pluginsdk.RankResponse, error) {
	if _, _, err := p.decide(ctx); err != nil {
		return nil, err
	}
	order := make([]int64, 0, len(req.Candidates)+2)
	for _, c := range req.Candidates {
		order = append(order, c.ID)
	}
	slices.Reverse(order)
	// An invented ID and a repeat: the host must drop both.
	order = append(order, 1<<40)
	if len(order) > 1 {
		order = append(order, order[0])
	}
	return &pluginsdk.RankResponse{Order: order}, nil
}

func main() {
	if os.Getenv("TESTPOLICY_STDOUT_AT_START") != "" {
		fmt.Println("hello from a plugin that prints before serving")
	}
	pluginsdk.Serve(&testPolicy{name: filepath.Base(os.Args[0])})
}
