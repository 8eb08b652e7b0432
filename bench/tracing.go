package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// tracingResult is one JSON line of `tracing`: one operation (home reads
// or posts) over HTTP against a fresh bin/starling in one tracing mode,
// off or exporting over OTLP/HTTP to a sink in the bench at a sampling
// ratio. Documented in bench/README.md.
type tracingResult struct {
	Engine      string  `json:"engine"`
	Bench       string  `json:"bench"`
	Mode        string  `json:"mode"` // "off" or "ratio=R"
	SampleRatio float64 `json:"sample_ratio"`
	Op          string  `json:"op"` // home or post
	Conns       int     `json:"conns"`
	Seconds     float64 `json:"seconds"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	ReqPerSec   float64 `json:"req_per_sec"`
	// CPUPerReqUs is server CPU (all threads) per request, µs; ServerCores
	// is that CPU over the wall time.
	CPUPerReqUs float64 `json:"cpu_us_per_req"`
	ServerCores float64 `json:"server_cores"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	// Load1 is the machine's 1-minute load average after the run: on a
	// shared machine it says how far req/s can be trusted.
	Load1       float64 `json:"load1"`
	ExportBytes int64   `json:"otlp_bytes_received"`
	Exports     int64   `json:"otlp_exports"`
	Accounts    int     `json:"accounts"`
	Follows     int     `json:"follows"`
	Statuses    int     `json:"statuses"`
	provenance
}

// tracingOps are the operations the tracing bench can measure.
var tracingOps = map[string]bool{"home": true, "post": true}

func runTracing(e *env, args []string) error {
	fs := flag.NewFlagSet("tracing", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", siblingBinary("starling"), "the starling binary to run")
	var seed httpSeed
	fs.IntVar(&seed.Accounts, "accounts", 100, "accounts seeded through the API (per mode: each mode runs a fresh server)")
	fs.IntVar(&seed.Follows, "follows", 30, "accounts each account follows")
	fs.IntVar(&seed.Statuses, "statuses", 10, "statuses each account posts")
	opsFlag := fs.String("ops", "home,post", "operations measured in each mode, in order (home, post)")
	conns := fs.Int("conns", 16, "concurrent connections")
	duration := fs.Duration("duration", 10*time.Second, "measured time per operation and mode")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured load before each measurement")
	modes := fs.String("modes", "off,0.01,1", "comma-separated: off, or a sampling ratio (0..1) with the OTLP exporter on")
	var serverArgs stringsFlag
	fs.Var(&serverArgs, "server-arg", "an extra flag for starling serve (repeatable), e.g. --server-arg=--db=postgres://…")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench tracing [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	ops := splitComma(*opsFlag)
	for _, op := range ops {
		if !tracingOps[op] {
			return usagef("--ops: unknown operation %q (home, post)", op)
		}
	}
	if len(ops) == 0 || *conns < 1 || *duration <= 0 || *warmup < 0 || seed.Accounts < 2 || seed.Follows < 0 ||
		seed.Follows >= seed.Accounts || seed.Statuses < 0 {
		return usagef("want --ops, --conns >= 1, --duration > 0, --accounts >= 2, 0 <= --follows < --accounts, --statuses >= 0")
	}
	ratios, err := parseTracingModes(*modes)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*server); err != nil {
		return usagef("--server: %v (run make build)", err)
	}
	var sinkBytes, sinkExports atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		sinkBytes.Add(n)
		sinkExports.Add(1)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer sink.Close()
	prov := newProvenance(e.command)
	for _, ratio := range ratios {
		extra, mode := []string{}, "off"
		if ratio >= 0 {
			r := strconv.FormatFloat(ratio, 'g', -1, 64)
			extra, mode = []string{"--otlp-endpoint", sink.URL, "--trace-sample-ratio", r}, "ratio="+r
		}
		fmt.Fprintf(e.stderr, "tracing: %s: seeding a fresh server\n", mode)
		err := tracingMode(e, *server, append(extra, serverArgs...), seed, func(lg *loadGen) error {
			for _, op := range ops {
				if *warmup > 0 {
					if _, err := lg.run(op, *conns, *warmup); err != nil {
						return err
					}
				}
				sinkBytes.Store(0)
				sinkExports.Store(0)
				fmt.Fprintf(e.stderr, "tracing: %s: %s at %d connections\n", mode, op, *conns)
				m, err := lg.measure(op, *conns, *duration, httpResult{})
				if err != nil {
					return err
				}
				res := tracingResult{Engine: "starling", Bench: "tracing", Mode: mode, SampleRatio: max(ratio, 0), Op: op,
					Conns: m.Conns, Seconds: m.Seconds, Requests: m.Requests, Errors: m.Errors, ReqPerSec: m.RPS,
					CPUPerReqUs: m.ServerCPUUsPerReq, ServerCores: m.ServerCores, P50Ms: m.P50Ms, P99Ms: m.P99Ms,
					Load1: load1(), ExportBytes: sinkBytes.Load(), Exports: sinkExports.Load(),
					Accounts: seed.Accounts, Follows: seed.Follows, Statuses: seed.Statuses, provenance: prov}
				if err := emit(e.stdout, res); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// parseTracingModes reads --modes: -1 stands for off.
func parseTracingModes(s string) ([]float64, error) {
	var ratios []float64
	for _, m := range splitComma(s) {
		if m == "off" {
			ratios = append(ratios, -1)
			continue
		}
		r, err := strconv.ParseFloat(m, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, usagef("--modes: %q is neither off nor a ratio 0..1", m)
		}
		ratios = append(ratios, r)
	}
	if len(ratios) == 0 {
		return nil, usagef("--modes: none given")
	}
	return ratios, nil
}

// tracingMode starts a server with extra flags (no plugins, no rate
// limits: the bench measures tracing, not the policy), seeds it, and runs
// measure against it.
func tracingMode(e *env, bin string, extra []string, seed httpSeed, measure func(*loadGen) error) error {
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	srv, err := startServer(e, bin, serverOptions{args: append([]string{"--admin-addr", "127.0.0.1:0",
		"--admin-token", hex.EncodeToString(token), "--plugins", "", "--rate-limit", "0", "--rate-limit-auth", "0",
		"--rate-limit-apps", "0"}, extra...)})
	if err != nil {
		return err
	}
	defer srv.stop()
	tokens, err := seedHTTP(srv, seed, 8)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	return measure(newLoadGen(srv, tokens))
}

// load1 is the 1-minute load average, or -1 if unreadable.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return -1
	}
	return v
}

func splitComma(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
