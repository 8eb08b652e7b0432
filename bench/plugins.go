package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/policy"
	"github.com/starling-social/starling/plugins/ranker/scorer"
	"github.com/starling-social/starling/plugins/wordfilter/filter"
)

// pluginResult is one JSON line of `plugins`. Documented in bench/README.md.
type pluginResult struct {
	Bench string `json:"bench"` // check_status, rank, load, swap, restart
	// Transport is "inprocess" (the plugin's Go code called directly) or
	// "grpc" (through policy.Host to the real plugin process).
	Transport  string  `json:"transport,omitempty"`
	Plugin     string  `json:"plugin"`
	Candidates int     `json:"candidates,omitempty"` // rank only
	Workers    int     `json:"workers,omitempty"`
	Calls      int64   `json:"calls"`
	Failed     int64   `json:"failed"`
	P50Us      float64 `json:"p50_us"`
	P90Us      float64 `json:"p90_us"`
	P99Us      float64 `json:"p99_us"`
	MaxUs      float64 `json:"max_us"`
	MeanUs     float64 `json:"mean_us"`
	// Load: calls per second. Load, and single gRPC calls (check_status,
	// rank): CPU per call of the server (this process, the host side) and
	// of the plugin process.
	CallsPerSec     float64 `json:"calls_per_sec,omitempty"`
	HostCPUUsCall   float64 `json:"host_cpu_us_per_call,omitempty"`
	PluginCPUUsCall float64 `json:"plugin_cpu_us_per_call,omitempty"`
	// Swap and restart: the events measured (their times are the
	// latency fields), and for swaps the calls made meanwhile. A swap's
	// time runs from Reload until the new version is current (copy and
	// verify, exec, handshake, Info, Configure, health, canary, atomic
	// switch); the drain of the old version comes after, in DrainP50Us
	// and DrainMaxUs, and calls never wait for either.
	Events     int     `json:"events,omitempty"`
	DrainP50Us float64 `json:"drain_p50_us,omitempty"`
	DrainMaxUs float64 `json:"drain_max_us,omitempty"`
	provenance
}

func runPlugins(e *env, args []string) error {
	fs := flag.NewFlagSet("plugins", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("plugin-dir", "bin/plugins", "directory with the built wordfilter and ranker binaries")
	calls := fs.Int("calls", 20_000, "calls per single-call measurement")
	rankCalls := fs.Int("rank-calls", 2_000, "calls per rank measurement")
	workers := fs.Int("workers", 8, "concurrent callers in the load and swap measurements")
	loadFor := fs.Duration("load-duration", 5*time.Second, "length of the concurrent load measurement")
	swaps := fs.Int("swaps", 20, "hot swaps under load")
	restarts := fs.Int("restarts", 5, "kill -9 and restart cycles (each after the plugin ran long enough for the supervisor's backoff to reset)")
	only := fs.String("only", "check_status,rank,load,swap,restart", "comma-separated steps to run")
	verbose := fs.Bool("v", false, "log the host's debug lines (plugin start step times) to stderr")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench plugins [flags]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *calls < 100 || *rankCalls < 10 || *workers < 1 || *swaps < 1 || *restarts < 1 {
		return usagef("--calls ≥ 100, --rank-calls ≥ 10, --workers, --swaps, --restarts ≥ 1")
	}
	for _, name := range []string{"wordfilter", "ranker"} {
		if _, err := os.Stat(filepath.Join(*dir, name)); err != nil {
			return usagef("--plugin-dir: %v (run `make build`)", err)
		}
	}
	b := &pluginBench{e: e, prov: newProvenance(e.command), dir: *dir, verbose: *verbose}
	defer b.close()
	if err := b.start(); err != nil {
		return err
	}
	steps := map[string]func() error{
		"check_status": func() error { return b.checkStatus(*calls) },
		"rank":         func() error { return b.rank(*rankCalls) },
		"load":         func() error { return b.load(*workers, *loadFor) },
		"swap":         func() error { return b.swap(*workers, *swaps) },
		"restart":      func() error { return b.restart(*restarts) },
	}
	for _, name := range strings.Split(*only, ",") {
		step, ok := steps[name]
		if !ok {
			return usagef("--only: unknown step %q", name)
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// wordfilterConfig and rankerConfig are the bundled manifest's.
const (
	wordfilterConfig = `{"words": ["spamword", "scamlink"], "action": "reject"}`
	rankerConfig     = `{"weights": {"recency": 1, "engagement": 0.5, "affinity": 1, "similarity": 1, "following": 0.25}, "half_life": "6h"}`
)

type pluginBench struct {
	e       *env
	verbose bool
	prov    provenance
	dir     string
	work    string // temp dir: manifest and the binaries under test
	host    *policy.Host
}

// start copies the binaries into a work dir (the swap step replaces them
// there), writes a manifest and starts a host over it.
func (b *pluginBench) start() error {
	var err error
	if b.work, err = os.MkdirTemp("", "starling-bench-plugins-"); err != nil {
		return err
	}
	for _, name := range []string{"wordfilter", "ranker"} {
		if err := copyBinary(filepath.Join(b.dir, name), filepath.Join(b.work, name), nil); err != nil {
			return err
		}
	}
	m := &policy.Manifest{Plugins: []policy.PluginSpec{
		{Name: "wordfilter", Path: "wordfilter", Hooks: []string{pluginsdk.HookCheckStatus}, FailMode: policy.FailClosed,
			Timeout: policy.Duration(2 * time.Second), Enabled: true, Config: json.RawMessage(wordfilterConfig)},
		{Name: "ranker", Path: "ranker", Hooks: []string{pluginsdk.HookRank}, FailMode: policy.FailClosed,
			Timeout: policy.Duration(2 * time.Second), Enabled: true, Config: json.RawMessage(rankerConfig)},
	}}
	if err := policy.Pin(m, b.work); err != nil {
		return err
	}
	file := filepath.Join(b.work, "manifest.json")
	if err := m.Save(file); err != nil {
		return err
	}
	if m, err = policy.LoadManifest(file); err != nil {
		return err
	}
	level := slog.LevelWarn
	if b.verbose {
		level = slog.LevelDebug
	}
	b.host, err = policy.NewHost(context.Background(), m, slog.New(slog.NewTextHandler(b.e.stderr, &slog.HandlerOptions{Level: level})), policy.Options{})
	return err
}

func (b *pluginBench) close() {
	if b.host != nil {
		b.host.Close()
	}
	if b.work != "" {
		os.RemoveAll(b.work)
	}
}

func (b *pluginBench) emit(r pluginResult) error {
	r.provenance = b.prov
	fmt.Fprintf(b.e.stderr, "%-12s %-9s %-10s cands=%-5d calls=%-7d failed=%-3d p50=%.1fµs p99=%.1fµs max=%.1fµs\n",
		r.Bench, r.Transport, r.Plugin, r.Candidates, r.Calls, r.Failed, r.P50Us, r.P99Us, r.MaxUs)
	return emit(b.e.stdout, r)
}

// statusRequest is a typical status: a few sentences, no blocked word, so
// every call scans the whole text.
var statusRequest = &pluginsdk.CheckStatusRequest{AccountID: 42, Username: "alice", Visibility: "public", Language: "en",
	Text: "Fresh sourdough out of the oven this morning! The crumb came out open and glossy, " +
		"and the crust crackled as it cooled. Next time: a longer cold proof and a little more salt. #baking #bread"}

// timeCalls runs fn n times and returns per-call latencies (after a warm-up
// of n/10 calls).
func timeCalls(n int, fn func() error) ([]time.Duration, int64, error) {
	for range n / 10 {
		if err := fn(); err != nil {
			return nil, 0, err
		}
	}
	lat := make([]time.Duration, 0, n)
	var failed int64
	for range n {
		start := time.Now()
		if err := fn(); err != nil {
			failed++
		}
		lat = append(lat, time.Since(start))
	}
	return lat, failed, nil
}

// cpuMeter starts measuring the CPU of this process (the host) and of
// plugin name's process over gRPC calls; the function it returns records
// both per call in r, for calls calls (timeCalls' warm-up included). One
// caller at a time, so unlike the load step this is the cost of a call
// without any batching of wakeups. In process there is nothing to record.
func (b *pluginBench) cpuMeter(name, transport string) func(r *pluginResult, calls int) {
	if transport != "grpc" {
		return func(*pluginResult, int) {}
	}
	pid := b.pid(name)
	host0, plug0 := processCPU(os.Getpid()), processCPU(pid)
	return func(r *pluginResult, calls int) {
		r.HostCPUUsCall = float64(processCPU(os.Getpid())-host0) / float64(time.Microsecond) / float64(calls)
		r.PluginCPUUsCall = float64(processCPU(pid)-plug0) / float64(time.Microsecond) / float64(calls)
	}
}

func (b *pluginBench) checkStatus(n int) error {
	f := filter.New()
	if resp, err := f.Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(wordfilterConfig)}); err != nil || resp.Error != "" {
		return fmt.Errorf("configure wordfilter in process: %v %s", err, resp.Error)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		transport string
		call      func() error
	}{
		{"inprocess", func() error { _, err := f.CheckStatus(ctx, statusRequest); return err }},
		{"grpc", func() error { _, err := b.host.CheckStatus(ctx, statusRequest); return err }},
	} {
		cpu := b.cpuMeter("wordfilter", tc.transport)
		lat, failed, err := timeCalls(n, tc.call)
		if err != nil {
			return fmt.Errorf("check_status %s: %w", tc.transport, err)
		}
		r := latencyResult(lat)
		r.Bench, r.Transport, r.Plugin, r.Failed = "check_status", tc.transport, "wordfilter", failed
		cpu(&r, n+n/10)
		if err := b.emit(r); err != nil {
			return err
		}
	}
	return nil
}

// candidates makes n rank candidates with varied features.
func candidates(n int, now time.Time) []pluginsdk.Candidate {
	out := make([]pluginsdk.Candidate, n)
	for i := range out {
		out[i] = pluginsdk.Candidate{
			ID: int64(i + 1), AuthorID: int64(i%97 + 1), CreatedAt: now.Add(-time.Duration(i) * time.Minute),
			Favourites: int64(i % 13), Reblogs: int64(i % 7), Replies: int64(i % 5),
			Affinity: float64(i%10) / 10, Similarity: 1 - float64(i)/float64(n), FollowingAuthor: i%3 == 0,
		}
	}
	return out
}

func (b *pluginBench) rank(n int) error {
	s := scorer.New()
	if resp, err := s.Configure(context.Background(), &pluginsdk.ConfigureRequest{Config: json.RawMessage(rankerConfig)}); err != nil || resp.Error != "" {
		return fmt.Errorf("configure ranker in process: %v %s", err, resp.Error)
	}
	ctx := context.Background()
	now := time.Now()
	for _, size := range []int{1, 100, 500, 1000} {
		req := &pluginsdk.RankRequest{ViewerID: 1, Surface: pluginsdk.SurfaceSearch, Now: now, Candidates: candidates(size, now)}
		for _, tc := range []struct {
			transport string
			call      func() error
		}{
			{"inprocess", func() error { _, err := s.Rank(ctx, req); return err }},
			{"grpc", func() error {
				ids, err := b.host.Rank(ctx, req)
				if err == nil && len(ids) != size {
					err = fmt.Errorf("rank returned %d of %d", len(ids), size)
				}
				return err
			}},
		} {
			cpu := b.cpuMeter("ranker", tc.transport)
			lat, failed, err := timeCalls(n, tc.call)
			if err != nil {
				return fmt.Errorf("rank %d %s: %w", size, tc.transport, err)
			}
			r := latencyResult(lat)
			r.Bench, r.Transport, r.Plugin, r.Candidates, r.Failed = "rank", tc.transport, "ranker", size, failed
			cpu(&r, n+n/10)
			if err := b.emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// hammer runs workers calling CheckStatus until stop closes, collecting
// latencies and failures.
func (b *pluginBench) hammer(workers int, stop <-chan struct{}) func() ([]time.Duration, int64) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		all    []time.Duration
		failed atomic.Int64
	)
	for range workers {
		wg.Go(func() {
			var lat []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					all = append(all, lat...)
					mu.Unlock()
					return
				default:
				}
				start := time.Now()
				if _, err := b.host.CheckStatus(context.Background(), statusRequest); err != nil {
					failed.Add(1)
				}
				lat = append(lat, time.Since(start))
			}
		})
	}
	return func() ([]time.Duration, int64) {
		wg.Wait()
		return all, failed.Load()
	}
}

func (b *pluginBench) load(workers int, d time.Duration) error {
	pid := b.pid("wordfilter")
	hostCPU0, plugCPU0 := processCPU(os.Getpid()), processCPU(pid)
	stop := make(chan struct{})
	start := time.Now()
	wait := b.hammer(workers, stop)
	time.Sleep(d)
	close(stop)
	lat, failed := wait()
	elapsed := time.Since(start)
	r := latencyResult(lat)
	r.Bench, r.Transport, r.Plugin, r.Workers, r.Failed = "load", "grpc", "wordfilter", workers, failed
	r.CallsPerSec = float64(len(lat)) / elapsed.Seconds()
	if n := float64(len(lat)); n > 0 {
		r.HostCPUUsCall = float64(processCPU(os.Getpid())-hostCPU0) / float64(time.Microsecond) / n
		r.PluginCPUUsCall = float64(processCPU(pid)-plugCPU0) / float64(time.Microsecond) / n
	}
	return b.emit(r)
}

// swap alternates the word filter between two binaries (the second is the
// first with bytes appended, so a different SHA-256 and file) by editing
// the manifest and calling Reload, under load.
func (b *pluginBench) swap(workers, n int) error {
	file := filepath.Join(b.work, "manifest.json")
	a := filepath.Join(b.dir, "wordfilter")
	next := filepath.Join(b.work, "wordfilter-b")
	if err := copyBinary(a, next, []byte("\nstarling-bench: a second build of the same plugin\n")); err != nil {
		return err
	}
	paths := []string{filepath.Join(b.work, "wordfilter"), next}
	stop := make(chan struct{})
	wait := b.hammer(workers, stop)
	var took, drains []time.Duration
	for i := range n {
		path := paths[(i+1)%2]
		m, err := policy.LoadManifest(file)
		if err != nil {
			return err
		}
		sum, err := fileSum(path)
		if err != nil {
			return err
		}
		m.Plugins[0].Path, m.Plugins[0].SHA256 = path, sum
		if err := m.Save(file); err != nil {
			return err
		}
		res, err := b.host.Reload(context.Background(), "wordfilter")
		if err != nil {
			close(stop)
			wait()
			return fmt.Errorf("swap %d: %w", i, err)
		}
		took = append(took, res.Took)
		drains = append(drains, res.Drain)
	}
	close(stop)
	lat, failed := wait()
	r := latencyResult(took)
	d := latencyResult(drains)
	r.DrainP50Us, r.DrainMaxUs = d.P50Us, d.MaxUs
	r.Bench, r.Transport, r.Plugin, r.Workers, r.Events = "swap", "grpc", "wordfilter", workers, n
	r.Calls, r.Failed = int64(len(lat)), failed
	return b.emit(r)
}

// restart kills the word filter with SIGKILL and times until the host has a
// new process serving (state ready, a different PID).
func (b *pluginBench) restart(n int) error {
	var took []time.Duration
	for range n {
		pid := b.pid("wordfilter")
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return err
		}
		start := time.Now()
		for {
			if p := b.info("wordfilter"); p.State == policy.StateReady && p.PID != pid && p.PID != 0 {
				break
			}
			if time.Since(start) > 30*time.Second {
				return errors.New("restart: no new process within 30s")
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
		// A crash is a rare event, not a loop: wait until the supervisor
		// counts the new process as stable, so its backoff is back to an
		// immediate restart (crash loops are slowed down on purpose).
		time.Sleep(policy.StableAfter + 500*time.Millisecond)
	}
	r := latencyResult(took)
	r.Bench, r.Transport, r.Plugin, r.Events = "restart", "grpc", "wordfilter", n
	r.Calls = 0
	return b.emit(r)
}

func (b *pluginBench) info(name string) policy.PluginInfo {
	for _, p := range b.host.Plugins() {
		if p.Name == name {
			return p
		}
	}
	return policy.PluginInfo{}
}

func (b *pluginBench) pid(name string) int { return b.info(name).PID }

// latencyResult summarises lat.
func latencyResult(lat []time.Duration) pluginResult {
	r := pluginResult{Calls: int64(len(lat))}
	if len(lat) == 0 {
		return r
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	q := func(p float64) float64 {
		return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / float64(time.Microsecond)
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	r.P50Us, r.P90Us, r.P99Us = q(0.50), q(0.90), q(0.99)
	r.MaxUs = float64(s[len(s)-1]) / float64(time.Microsecond)
	r.MeanUs = float64(sum) / float64(len(s)) / float64(time.Microsecond)
	return r
}

// processCPU is pid's user+system CPU time so far, from /proc (0 if
// unreadable).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck
}

// copyBinary copies an executable, appending extra, through a temporary
// name and a rename (as operators install plugins).
func copyBinary(from, to string, extra []byte) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := to + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if _, err := out.Write(extra); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, to)
}

func fileSum(path string) (string, error) {
	m := &policy.Manifest{Plugins: []policy.PluginSpec{{Name: "x"}}}
	dir, name := filepath.Split(path)
	// Pin hashes dir/<name>; reuse it rather than hash here a second way.
	m.Plugins[0].Name = name
	if err := policy.Pin(m, dir); err != nil {
		return "", err
	}
	return m.Plugins[0].SHA256, nil
}
