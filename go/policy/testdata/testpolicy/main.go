// Command testpolicy is a policy plugin for package policy's tests. It names
// itself after its executable (so one build, linked under several names,
// gives several plugins) and behaves as its config says:
//
//	{"mode": "allow"|"reject"|"flag"|"mark_sensitive"|"rewrite"|"hang"|"crash", "reason": "..."}
//
// "rewrite" appends " +<name>" to the text, so tests can see the order in
// which rewrites chained. "hang" blocks until the host's deadline passes;
// "crash" exits the process mid-call.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/starling-social/starling/go/pluginsdk"
)

type config struct {
	Mode   string `json:"mode"`
	Reason string `json:"reason"`
}

type testPolicy struct {
	name string
	cfg  atomic.Pointer[config]
}

func (p *testPolicy) Info(context.Context, *pluginsdk.InfoRequest) (*pluginsdk.InfoResponse, error) {
	return &pluginsdk.InfoResponse{Name: p.name, Version: "0.0.1-test", Hooks: []string{pluginsdk.HookCheckStatus}}, nil
}

func (p *testPolicy) Configure(_ context.Context, req *pluginsdk.ConfigureRequest) (*pluginsdk.ConfigureResponse, error) {
	var c config
	if err := json.Unmarshal(req.Config, &c); err != nil {
		return &pluginsdk.ConfigureResponse{Error: err.Error()}, nil
	}
	switch c.Mode {
	case "allow", "reject", "flag", "mark_sensitive", "rewrite", "hang", "crash":
	default:
		return &pluginsdk.ConfigureResponse{Error: fmt.Sprintf("mode: unknown %q", c.Mode)}, nil
	}
	p.cfg.Store(&c)
	return &pluginsdk.ConfigureResponse{}, nil
}

func (p *testPolicy) CheckStatus(ctx context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	c := p.cfg.Load()
	resp := &pluginsdk.CheckStatusResponse{Reason: c.Reason}
	switch c.Mode {
	case "allow":
	case "reject":
		resp.Verdict = pluginsdk.VerdictReject
	case "flag":
		resp.Verdict = pluginsdk.VerdictFlag
	case "mark_sensitive":
		resp.Verdict = pluginsdk.VerdictMarkSensitive
	case "rewrite":
		resp.Verdict = pluginsdk.VerdictRewrite
		resp.Text, resp.SpoilerText = req.Text+" +"+p.name, req.SpoilerText
	case "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	case "crash":
		os.Exit(3)
	}
	return resp, nil
}

func main() {
	pluginsdk.Serve(&testPolicy{name: filepath.Base(os.Args[0])})
}
