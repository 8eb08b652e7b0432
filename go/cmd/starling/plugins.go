package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/policy"
	"github.com/starling-social/starling/go/social"
)

// defaultManifest is plugins/manifest.json beside the starling binary, where
// `make build` puts the pinned manifest, so the server finds its bundled
// plugins whatever directory it is started from.
func defaultManifest() string {
	exe, err := os.Executable()
	if err != nil {
		return filepath.Join("bin", "plugins", "manifest.json")
	}
	return filepath.Join(filepath.Dir(exe), "plugins", "manifest.json")
}

// pluginModerator adapts the policy host to what social and admin consume.
type pluginModerator struct {
	host *policy.Host
}

// CheckStatus asks the plugins about a draft. A host error (a fail-closed
// plugin that is down) is returned, so social refuses the post with 503.
func (m *pluginModerator) CheckStatus(ctx context.Context, d social.Draft) (social.Verdict, error) {
	resp, err := m.host.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{
		AccountID: d.AccountID, Username: d.Username, Text: d.Text, SpoilerText: d.SpoilerText,
		Visibility: string(d.Visibility), Language: d.Language,
	})
	if err != nil {
		return social.Verdict{}, err
	}
	v := social.Verdict{Sensitive: resp.Sensitive || resp.Verdict == pluginsdk.VerdictMarkSensitive}
	switch resp.Verdict {
	case pluginsdk.VerdictReject:
		v.Reject, v.Reason = true, resp.Reason
	case pluginsdk.VerdictRewrite:
		v.Rewritten, v.Text, v.SpoilerText = true, resp.Text, resp.SpoilerText
	}
	// Flagged statuses are stored and audited by the host; the moderation
	// queue that would show them to moderators is not built yet.
	return v, nil
}

// PluginsJSON lists the loaded plugins for the admin API.
func (m *pluginModerator) PluginsJSON() any { return m.host.Plugins() }

// startPlugins loads the manifest and starts its plugins. With no manifest
// it returns a nil moderator (everything allowed) and logs that loudly.
func startPlugins(ctx context.Context, manifest string, reg prometheus.Registerer, log *slog.Logger) (*pluginModerator, func(), error) {
	if manifest == "" {
		log.Warn("running without policy plugins (--plugins is empty): statuses are not moderated")
		return nil, func() {}, nil
	}
	m, err := policy.LoadManifest(manifest)
	if err != nil {
		return nil, nil, fmt.Errorf("--plugins: %w (build and pin the bundled plugins with `make build`, or pass --plugins '' to run without)", err)
	}
	host, err := policy.NewHost(ctx, m, log, policy.Options{Registerer: reg})
	if err != nil {
		return nil, nil, fmt.Errorf("start policy plugins: %w", err)
	}
	for _, p := range host.Plugins() {
		log.Info("policy plugin", "name", p.Name, "version", p.Version, "state", p.State, "hooks", strings.Join(p.Hooks, ","))
	}
	return &pluginModerator{host: host}, func() {
		if err := host.Close(); err != nil {
			log.Warn("stop policy plugins", "err", err)
		}
	}, nil
}

func runPlugins(_ context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "starling plugins pin --in TEMPLATE --dir BINDIR --out MANIFEST | starling plugins list [--plugins MANIFEST]"
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", synopsis)
	}
	switch args[0] {
	case "pin":
		fs := flag.NewFlagSet("plugins pin", flag.ContinueOnError)
		fs.SetOutput(stderr)
		in := fs.String("in", "plugins/manifest.json", "template manifest (no hashes)")
		dir := fs.String("dir", "bin/plugins", "directory holding the built plugin binaries")
		out := fs.String("out", "bin/plugins/manifest.json", "pinned manifest to write")
		fs.Usage = usage(fs, "starling plugins pin [--in FILE] [--dir DIR] [--out FILE]")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		m, err := policy.LoadManifest(*in)
		if err != nil {
			return err
		}
		if err := policy.Pin(m, *dir); err != nil {
			return err
		}
		if err := m.Save(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "pinned %d plugin(s) into %s\n", len(m.Plugins), *out)
		return nil
	case "list":
		fs := flag.NewFlagSet("plugins list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		path := fs.String("plugins", defaultManifest(), "manifest to list")
		fs.Usage = usage(fs, "starling plugins list [--plugins FILE]")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		m, err := policy.LoadManifest(*path)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tENABLED\tHOOKS\tFAIL MODE\tTIMEOUT\tBINARY")
		for _, p := range m.Plugins {
			check := "ok (sha256 matches)"
			if err := m.VerifyBinary(p); err != nil {
				check = err.Error()
			}
			fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\t%s\n", p.Name, p.Enabled, strings.Join(p.Hooks, ","), p.FailMode, time.Duration(p.Timeout), check)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown plugins command %q; usage: %s", args[0], synopsis)
}
