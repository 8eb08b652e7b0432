// Command starling is the Starling server and its admin CLI.
//
//	starling serve                      run the server (migrates first)
//	starling migrate                    apply database migrations
//	starling user create --username U --password P
//	starling plugins pin|init|list|reload|enable|disable   manage the policy plugins
//	starling index status|rebuild|check                    the running server's vector indexes
//	starling embedder train --corpus F --out F               train the built-in embedder (offline)
//	starling embedder train --from-statuses                  train it on this instance's public statuses
//	starling seed --accounts N --statuses N                  bulk-load a synthetic instance (empty data dir)
//
// Every subcommand that touches data takes --data-dir and --db; every flag
// can also be set with its STARLING_* environment variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/starling-social/starling/go/tracing"
)

// version is set at build time with -ldflags "-X main.version=..."; the
// instance endpoint reports it in Mastodon's "x.y.z (compatible; ...)" form.
var version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "starling:", err)
		os.Exit(1)
	}
}

const topUsage = `usage: starling <command> [flags]

commands:
  serve            run the server (applies migrations first)
  migrate          apply database migrations and exit
  backup           write a consistent online backup of a SQLite data dir (--out FILE)
  restore          restore a backup into an empty data dir (--in FILE --data-dir DIR)
  doctor           check a data dir: schema version, integrity, plugin hashes, free disk
  user create      create a local account
  plugins pin      write a manifest pinning plugin binaries by SHA-256
  plugins init     copy the bundled manifest into the data dir (<data-dir>/plugins.json)
  plugins list     the running server's plugins: version, SHA-256, state, calls, errors, p50/p99
  plugins reload   hot-swap a plugin to its manifest entry (also: enable, disable)
  index status     the running server's vector indexes: kind, size, memory per vector, build state
  index rebuild    retrain an index in the background and swap it in (shows progress)
  index check      measure an index's served recall@10 against exact search
  feed show        the running server's home timeline strategy and cache size
  feed strategy    switch the running server's strategy: pull, push or hybrid (caches rebuilt from SQL)
  admin reports, admin resolve-report, admin flagged  the moderation queue: users' reports, and statuses plugins flagged
  admin delete-status  delete any status as a moderator (--reason), recorded in the audit log
  admin actions    the moderators' audit log, newest first
  embedder train   train the built-in subword embedder on a corpus (make embedder-model) or on this
                   instance's public statuses (--from-statuses; serve it with --subword-model)
  seed             bulk-load a synthetic instance into an empty data dir (scale benches)
  version          print the version

Run "starling <command> --help" for a command's flags.`

// run dispatches a subcommand. It returns errors rather than exiting, so
// deferred cleanup (closing the store, killing plugins) always runs.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, topUsage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, stdout, stderr)
	case "doctor":
		return runDoctor(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "plugins":
		return runPlugins(ctx, rest, stdout, stderr)
	case "index":
		return runIndex(ctx, rest, stdout, stderr)
	case "feed":
		return runFeed(ctx, rest, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, stdout, stderr)
	case "embedder":
		return runEmbedder(ctx, rest, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, topUsage)
		return nil
	}
	fmt.Fprintln(stderr, topUsage)
	return fmt.Errorf("unknown command %q", cmd)
}

// versionLine is "starling <version>", followed by the commit the binary
// was built from when the build recorded one ("+dirty" when the work
// tree had changes), so a benchmark can name the server it measured.
func versionLine() string {
	var settings []debug.BuildSetting
	if info, ok := debug.ReadBuildInfo(); ok {
		settings = info.Settings
	}
	return versionWith(settings)
}

// versionWith is versionLine given the build's settings.
func versionWith(settings []debug.BuildSetting) string {
	var rev, dirty string
	for _, s := range settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return "starling " + version
	}
	return "starling " + version + " (commit " + rev + dirty + ")"
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	l, _ := parseLevel(level) // validated with the config
	opts := &slog.HandlerOptions{Level: l, ReplaceAttr: boundAttr}
	if format == "json" {
		return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(tracing.LogHandler(slog.NewTextHandler(w, opts)))
}

// maxLogValue bounds one logged value, in bytes: room for a panic's stack,
// not for a request's content.
const maxLogValue = 8 << 10

// boundAttr truncates long strings, errors and Stringers in every log
// record. Request content reaches the log inside them (a path in the access
// log, a query quoted in a store error), and an anonymous client must not
// be able to write a megabyte of log per request. It runs on every attribute
// of every access-log line, so the kinds bounded by themselves (numbers,
// durations, times) return at once, without boxing or formatting them.
func boundAttr(_ []string, a slog.Attr) slog.Attr {
	var s string
	switch a.Value.Kind() {
	case slog.KindString:
		s = a.Value.String()
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case slog.Level:
			// The built-in level: as the string Level's MarshalJSON
			// writes, without a trip through encoding/json per record.
			return slog.String(a.Key, v.String())
		case error:
			s = v.Error()
		case fmt.Stringer:
			s = v.String()
		default:
			return a
		}
	default:
		return a
	}
	if len(s) <= maxLogValue {
		return a
	}
	cut := maxLogValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return slog.String(a.Key, fmt.Sprintf("%s…[%d bytes truncated]", s[:cut], len(s)-cut))
}
