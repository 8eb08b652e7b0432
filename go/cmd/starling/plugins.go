package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starling-social/starling/go/api/admin"
	"github.com/starling-social/starling/go/policy"
	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
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

// autoManifest is the --plugins default: the operator's manifest in the data
// dir if there is one (see `starling plugins init`), else the bundled one.
const autoManifest = "auto"

// dataDirManifest is where the operator's manifest lives.
func dataDirManifest(dataDir string) string { return filepath.Join(dataDir, "plugins.json") }

// resolveManifest turns --plugins into a path ("" runs without plugins).
func resolveManifest(flagValue, dataDir string) string {
	if flagValue != autoManifest {
		return flagValue
	}
	if p := dataDirManifest(dataDir); fileExists(p) {
		return p
	}
	return defaultManifest()
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// startPlugins loads the manifest and starts its plugins, auditing their
// decisions into st with IDs from ids (the process's one generator). With
// no manifest it returns a nil host (everything allowed) and logs that
// loudly.
func startPlugins(ctx context.Context, manifest string, st store.Store, ids *snowflake.Generator, reg prometheus.Registerer, traceEndpoint string, log *slog.Logger) (*policy.Host, func(), error) {
	if manifest == "" {
		log.Warn("running without policy plugins (--plugins is empty): statuses are not moderated")
		return nil, func() {}, nil
	}
	m, err := policy.LoadManifest(manifest)
	if err != nil {
		return nil, nil, fmt.Errorf("--plugins: %w (build and pin the bundled plugins with `make build`, or pass --plugins '' to run without)", err)
	}
	host, err := policy.NewHost(ctx, m, log, policy.Options{Registerer: reg,
		Audit: policy.StoreAudit(st, ids), TraceEndpoint: traceEndpoint})
	if err != nil {
		return nil, nil, fmt.Errorf("start policy plugins: %w", err)
	}
	for _, p := range host.Plugins() {
		log.Info("policy plugin", "name", p.Name, "version", p.Version, "state", p.State, "hooks", strings.Join(p.Hooks, ","), "manifest", manifest)
	}
	return host, func() {
		if err := host.Close(); err != nil {
			log.Warn("stop policy plugins", "err", err)
		}
	}, nil
}

const pluginsSynopsis = `starling plugins <command>:
  pin --in TEMPLATE --dir BINDIR --out MANIFEST   pin plugin binaries by SHA-256
  init [--data-dir D]                             copy the bundled manifest to <data-dir>/plugins.json
  list [--offline [--plugins MANIFEST]]           the running server's plugins (or a manifest's)
  reload NAME                                     hot-swap NAME to its manifest entry
  enable NAME | disable NAME                      switch NAME on or off (saved in the manifest)
list, reload, enable and disable talk to the running server's admin listener
(--admin-addr, --admin-token or <data-dir>/admin_token).`

func runPlugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", pluginsSynopsis)
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "pin":
		return runPluginsPin(rest, stdout, stderr)
	case "init":
		return runPluginsInit(rest, stdout, stderr)
	case "list":
		return runPluginsList(ctx, rest, stdout, stderr)
	case "reload", "enable", "disable":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("usage: starling plugins %s NAME [flags]", cmd)
		}
		return runPluginAction(ctx, cmd, rest[0], rest[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, pluginsSynopsis)
		return nil
	default:
		return fmt.Errorf("unknown plugins command %q\n%s", cmd, pluginsSynopsis)
	}
}

func runPluginsPin(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugins pin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "plugins/manifest.json", "template manifest (no hashes)")
	dir := fs.String("dir", "bin/plugins", "directory holding the built plugin binaries")
	out := fs.String("out", "bin/plugins/manifest.json", "pinned manifest to write")
	fs.Usage = usage(fs, "starling plugins pin [--in FILE] [--dir DIR] [--out FILE]")
	if err := parseFlags(fs, args); err != nil {
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
}

func runPluginsInit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugins init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var st storageConfig
	st.register(fs)
	from := fs.String("from", defaultManifest(), "pinned manifest to copy")
	fs.Usage = usage(fs, "starling plugins init [--data-dir D] [--from MANIFEST]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	out := dataDirManifest(st.dataDir)
	if fileExists(out) {
		return fmt.Errorf("%s exists; edit it, or remove it first", out)
	}
	m, err := policy.LoadManifest(*from)
	if err != nil {
		return err
	}
	// Absolute paths: the copy lives elsewhere than the binaries.
	for i := range m.Plugins {
		if !filepath.IsAbs(m.Plugins[i].Path) {
			m.Plugins[i].Path = filepath.Join(m.Dir, m.Plugins[i].Path)
		}
	}
	if err := os.MkdirAll(st.dataDir, 0o700); err != nil {
		return err
	}
	if err := m.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d plugins); `starling serve` uses it from now on\n", out, len(m.Plugins))
	return nil
}

// adminClient talks to the running server's admin listener.
type adminClient struct {
	base, token string
	http        *http.Client
	actor       string // sent as admin.ActorHeader when set: the audit log's "who"
}

func registerAdminFlags(fs *flag.FlagSet) func() (*adminClient, error) {
	var st storageConfig
	st.register(fs)
	addr := fs.String("admin-addr", "127.0.0.1:8081", "the server's admin listen address")
	token := fs.String("admin-token", "", "admin bearer token (default: <data-dir>/admin_token)")
	actor := fs.String("actor", defaultActor(), "who acts, kept in the audit log of the actions that change something")
	return func() (*adminClient, error) {
		tok := *token
		if tok == "" {
			b, err := os.ReadFile(filepath.Join(st.dataDir, "admin_token"))
			if err != nil {
				return nil, fmt.Errorf("no --admin-token and no token in the data dir: %w", err)
			}
			tok = strings.TrimSpace(string(b))
		}
		// A swap starts a process and waits for its canary call; allow it.
		return &adminClient{base: "http://" + *addr, token: tok, actor: *actor, http: &http.Client{Timeout: 2 * time.Minute}}, nil
	}
}

// do sends a request and decodes a 2xx JSON answer into out; any other
// status is an error carrying the server's {"error": ...}.
func (c *adminClient) do(ctx context.Context, method, path string, out any) error {
	return c.doJSON(ctx, method, path, nil, out)
}

// doJSON is do with in, if not nil, sent as the JSON body.
func (c *adminClient) doJSON(ctx context.Context, method, path string, in, out any) error {
	var reqBody io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		reqBody = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reqBody)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.actor != "" {
		req.Header.Set(admin.ActorHeader, c.actor)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the server's admin listener at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, out)
}

func runPluginsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugins list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	offline := fs.Bool("offline", false, "list a manifest and check its hashes, without a running server")
	manifest := fs.String("plugins", autoManifest, "manifest for --offline (default: <data-dir>/plugins.json, else the bundled one)")
	fs.Usage = usage(fs, "starling plugins list [--admin-addr A] [--admin-token T] | --offline [--plugins FILE]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *offline {
		dd := fs.Lookup("data-dir").Value.String()
		return listManifest(resolveManifest(*manifest, dd), stdout)
	}
	c, err := client()
	if err != nil {
		return err
	}
	var list []admin.Plugin
	if err := c.do(ctx, http.MethodGet, "/admin/plugins", &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tSHA256\tSTATE\tCALLS\tERRORS\tP50\tP99\tRESTARTS\tSWAPS\tLAST ERROR")
	for _, p := range list {
		sum := p.SHA256
		if len(sum) > 12 {
			sum = sum[:12] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\n", p.Name, orDash(p.Version), orDash(sum), p.State,
			p.Calls, p.Errors, micros(p.P50Micros), micros(p.P99Micros), p.Restarts, p.Swaps, orDash(p.LastError))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func micros(us int64) string {
	if us == 0 {
		return "-"
	}
	return (time.Duration(us) * time.Microsecond).String()
}

// listManifest prints a manifest's plugins and whether each binary matches.
func listManifest(path string, stdout io.Writer) error {
	m, err := policy.LoadManifest(path)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tENABLED\tORDER\tHOOKS\tFAIL MODE\tTIMEOUT\tBINARY")
	for _, p := range m.Plugins {
		check := "ok (sha256 matches)"
		if err := m.VerifyBinary(p); err != nil {
			check = err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\t%s\t%s\t%s\n", p.Name, orDash(p.Version), p.Enabled, p.Order, strings.Join(p.Hooks, ","), p.FailMode, time.Duration(p.Timeout), check)
	}
	return tw.Flush()
}

// runPluginAction is reload, enable or disable NAME through the admin API.
// A refused swap is an error (exit status 1) with the server's reason; the
// old version keeps serving.
func runPluginAction(ctx context.Context, action, name string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugins "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	fs.Usage = usage(fs, "starling plugins "+action+" NAME [--admin-addr A] [--admin-token T] [--actor NAME]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	var res admin.SwapResult
	if err := c.do(ctx, http.MethodPost, "/admin/plugins/"+name+"/"+action, &res); err != nil {
		if action == "disable" {
			return fmt.Errorf("%s %s: %w", action, name, err)
		}
		return fmt.Errorf("%s %s failed; the running version (if any) keeps serving: %w", action, name, err)
	}
	switch res.State {
	case policy.StateDisabled:
		fmt.Fprintf(stdout, "%s: disabled\n", res.Plugin)
	default:
		fmt.Fprintf(stdout, "%s: version %s is serving (%s, swapped in %s)\n", res.Plugin, res.Version, res.State, res.Took)
	}
	return nil
}
