// Command starling-bench measures Starling's performance and prints one
// JSON object per result line on stdout (progress goes to stderr), keyed by
// dataset, index, parameters, commit and machine. See bench/README.md.
//
// Usage:
//
//	starling-bench ffi [flags]   cgo call overhead and zero-copy search cost
//	starling-bench ann [flags]   recall, QPS and latency on a texmex dataset
//	starling-bench store-write [flags]   posts/s with one SQLite durability setting
//	starling-bench plugins [flags]       policy plugins: in process vs gRPC, rank, load, swap, restart
//	starling-bench stream [flags]        server CPU per streamed status vs listeners
//	starling-bench http [flags]          home reads, posts and a mix over HTTP against bin/starling
//	starling-bench embedder [flags]      built-in embedder vs feature hashing on labelled retrieval
//	starling-bench media --photos DIR    upload-to-ready latency, CPU and peak memory per photo
//	starling-bench relevance [flags]     For-you recommendation quality against baselines (leave-last-out)
//	starling-bench scale --data-dir D    latency at scale on a data dir seeded by starling seed
//	starling-bench feed [flags]          timeline engine by strategy and store; `feed store`: the store alone
//	starling-bench chart --in FILE       SVG charts of the feed trade-offs from JSON lines
//
// Every command also takes --cpuprofile FILE, --memprofile FILE and
// --trace FILE (profiles of the bench process itself; see profile.go).
//
// Exit status: 0 on success, 2 for bad flags or unreadable input, 1 when a
// benchmark fails (including a failed correctness check on the results).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// usageError marks errors caused by the command line or its input files
// (exit status 2), as opposed to failures while benchmarking (exit 1).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef builds a usageError.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// subcommand is one benchmark family. New families (feed, http, plugins)
// are added to the table in run.
type subcommand struct {
	summary string
	run     func(env *env, args []string) error
}

// env is what a subcommand writes to.
type env struct {
	stdout  io.Writer // JSON lines only
	stderr  io.Writer // progress and errors
	command []string  // the full command line, recorded in every result
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// commandTable lists the subcommands by name.
func commandTable() map[string]subcommand {
	return map[string]subcommand{
		"ffi":         {"cgo call overhead, zero-copy search cost and allocations per call", runFFI},
		"ann":         {"recall, QPS and latency of an index on a texmex (fvecs/ivecs) dataset", runANN},
		"store-write": {"posts/s and latency of the write path over SQLite with one durability setting", runStoreWrite},
		"plugins":     {"policy plugin cost in process vs gRPC, batched rank, load, hot swap and restart", runPlugins},
		"stream":      {"server CPU per streamed status against the number of listeners (runs bin/starling)", runStream},
		"http":        {"home reads, posts and a 95/5 mix over HTTP: req/s, p50/p99/p99.9, server CPU per request (runs bin/starling)", runHTTP},
		"tracing":     {"req/s and server CPU per POST /api/v1/statuses with tracing off and on at sampling ratios (runs bin/starling)", runTracing},
		"feed":        {"timeline engine: post fan-out, home reads, rebuilds and memory per strategy and timeline store, on a real and a power-law follow graph", runFeed},
		"embedder":    {"built-in subword embedder vs feature hashing: labelled retrieval (topic, source, no shared word) on short-posts-en", runEmbedderBench},
		"index":       {"the server's live vector index on a texmex set: build, memory per vector, served recall@10, latency, snapshot save and start-up", runLiveIndex},
		"media":       {"upload-to-ready latency, CPU and peak memory per photo, and decompression bombs", runMedia},
		"scale":       {"typeahead, For-you and status-search p50/p99 single-thread, start-up from a snapshot, index memory and recall on a data dir made by starling seed (runs bin/starling)", runScale},
		"chart":       {"SVG charts of the feed trade-offs from `feed` and `feed store` JSON lines", runChart},
		"relevance":   {"For-you HitRate@10 and nDCG@10, leave-last-out, beside random, popularity and item-kNN, on a generated or given interaction log", runRelevance},
	}
}

// run executes the command line args (args[0] is the program name) and
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	commands := commandTable()
	usage := func() {
		fmt.Fprintf(stderr, "usage: starling-bench <command> [flags]\n\ncommands:\n")
		for _, name := range []string{"ffi", "ann", "store-write", "plugins", "stream", "http", "tracing", "feed", "index", "embedder", "relevance", "scale", "media", "chart"} {
			fmt.Fprintf(stderr, "  %-11s %s\n", name, commands[name].summary)
		}
		fmt.Fprintf(stderr, "\nRun starling-bench <command> -h for its flags. Results are JSON lines on stdout.\n")
		fmt.Fprintf(stderr, "Every command also takes --cpuprofile, --memprofile and --trace FILE (the bench process's own).\n")
	}
	if len(args) < 2 {
		usage()
		return 2
	}
	name := args[1]
	if name == "-h" || name == "--help" || name == "help" {
		usage()
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "starling-bench: unknown command %q\n\n", name)
		usage()
		return 2
	}
	prof, rest, err := splitProfileFlags(args[2:])
	if err == nil {
		var stopProf func() error
		if stopProf, err = prof.start(); err == nil {
			err = cmd.run(&env{stdout: stdout, stderr: stderr, command: args}, rest)
			if perr := stopProf(); err == nil {
				err = perr
			}
		}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "starling-bench %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(stderr, "starling-bench %s: %v\n", name, err)
		return 1
	}
}

// parseArgs parses a subcommand's flags: -h gives errHelp (usage was
// printed), a bad flag or a stray argument a usageError.
func parseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}
