package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/policy"
)

// TestCheckStatus tests the logic in process, the fast way to iterate.
func TestCheckStatus(t *testing.T) {
	g := &capsGuard{}
	if resp, _ := g.Configure(context.Background(), &pluginsdk.ConfigureRequest{}); resp.Error != "" {
		t.Fatal(resp.Error)
	}
	for text, want := range map[string]pluginsdk.Verdict{
		"THIS IS THE BEST SOURDOUGH EVER MADE":     pluginsdk.VerdictFlag,
		"ＴＨＩＳ ＩＳ ＴＨＥ ＢＥＳＴ ＢＲＥＡＤ ＥＶＥＲ ＭＡＤＥ":         pluginsdk.VerdictFlag,
		"This is the best sourdough ever made":     pluginsdk.VerdictAllow,
		"OK":                                       pluginsdk.VerdictAllow, // too short to judge
		"NASA and ESA launched it with JAXA today": pluginsdk.VerdictAllow,
	} {
		resp, err := g.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: text})
		if err != nil || resp.Verdict != want {
			t.Errorf("%q: got %+v, %v; want %s", text, resp, err, want)
		}
	}
	if resp, _ := g.Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(`{"max_upper_ratio": 2}`)}); resp.Error == "" {
		t.Error("a ratio above 1 was accepted")
	}
}

// TestInHost builds the plugin and runs it as Starling does: pinned by
// SHA-256 in a manifest, started, verified and called by a policy.Host.
func TestInHost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "capsguard"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	m := &policy.Manifest{Plugins: []policy.PluginSpec{{
		Name: "capsguard", Path: "capsguard", Hooks: []string{pluginsdk.HookCheckStatus},
		FailMode: policy.FailOpen, Timeout: policy.Duration(time.Second), Enabled: true,
		Config: json.RawMessage(`{"min_letters": 10, "max_upper_ratio": 0.5}`),
	}}}
	if err := policy.Pin(m, dir); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(filepath.Join(dir, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	loaded, err := policy.LoadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := policy.NewHost(context.Background(), loaded, nil, policy.Options{StartTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	resp, err := h.CheckStatus(context.Background(), &pluginsdk.CheckStatusRequest{Text: "BUY MY BREAD NOW PLEASE"})
	if err != nil || resp.Verdict != pluginsdk.VerdictFlag || len(resp.Decisions) != 1 || resp.Decisions[0].Version != version {
		t.Fatalf("got %+v, %v; want capsguard's flag", resp, err)
	}
}
