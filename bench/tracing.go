package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tracingResult is one tracing mode's run: POST /api/v1/statuses over HTTP
// against a fresh bin/starling, tracing off or exporting over OTLP/HTTP to
// a sink in the bench at a sampling ratio.
type tracingResult struct {
	Engine      string  `json:"engine"`
	Bench       string  `json:"bench"`
	Mode        string  `json:"mode"` // "off" or "ratio=R"
	SampleRatio float64 `json:"sample_ratio"`
	Clients     int     `json:"clients"`
	Requests    int     `json:"requests"`
	ReqPerSec   float64 `json:"req_per_sec"`
	// CPUPerReqUs is server CPU (all threads) per request, µs.
	CPUPerReqUs  float64 `json:"cpu_us_per_req"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	ExportBytes  int64   `json:"otlp_bytes_received"`
	ExportBatchs int64   `json:"otlp_exports"`
	provenance
}

func runTracing(e *env, args []string) error {
	fs := flag.NewFlagSet("tracing", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", siblingBinary("starling"), "the starling binary to run")
	requests := fs.Int("requests", 2000, "statuses posted per mode (after 100 warm-up posts)")
	clients := fs.Int("clients", 4, "concurrent posting clients (one account each)")
	modes := fs.String("modes", "off,0.01,1", "comma-separated: off, or a sampling ratio (0..1) with the OTLP exporter on")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench tracing [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *requests < 1 || *clients < 1 {
		return usagef("--requests and --clients must be positive")
	}
	var ratios []float64 // -1 is off
	for _, m := range splitComma(*modes) {
		if m == "off" {
			ratios = append(ratios, -1)
			continue
		}
		r, err := strconv.ParseFloat(m, 64)
		if err != nil || r < 0 || r > 1 {
			return usagef("--modes: %q is neither off nor a ratio 0..1", m)
		}
		ratios = append(ratios, r)
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
			extra = []string{"--otlp-endpoint", sink.URL, "--trace-sample-ratio", strconv.FormatFloat(ratio, 'g', -1, 64)}
			mode = "ratio=" + strconv.FormatFloat(ratio, 'g', -1, 64)
		}
		fmt.Fprintf(e.stderr, "tracing: %s\n", mode)
		sinkBytes.Store(0)
		sinkExports.Store(0)
		res, err := tracingRun(e, *server, extra, *clients, *requests)
		if err != nil {
			return err
		}
		res.Engine, res.Bench, res.Mode, res.SampleRatio, res.provenance = "starling", "tracing", mode, max(ratio, 0), prov
		res.ExportBytes, res.ExportBatchs = sinkBytes.Load(), sinkExports.Load()
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// tracingRun starts a server with extra flags, registers one account per
// client, and times posting.
func tracingRun(e *env, bin string, extra []string, clients, requests int) (tracingResult, error) {
	srv, err := startServer(e, bin, serverOptions{args: append([]string{"--admin-addr", "", "--plugins", "", "--rate-limit", "0"}, extra...)})
	if err != nil {
		return tracingResult{}, err
	}
	defer srv.stop()
	_, tokens, err := srv.setup(clients)
	if err != nil {
		return tracingResult{}, err
	}
	post := func(tok string, i int) (time.Duration, error) {
		var out map[string]any
		start := time.Now()
		err := srv.call("/api/v1/statuses", tok, url.Values{"status": {fmt.Sprintf("bench status %d about coffee and trains", i)}}, &out)
		return time.Since(start), err
	}
	for i := range 100 { // warm-up
		if _, err := post(tokens[i%clients], i); err != nil {
			return tracingResult{}, err
		}
	}
	cpu0, err := srv.cpu()
	if err != nil {
		return tracingResult{}, err
	}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, requests)
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > requests {
					return
				}
				d, err := post(tokens[c], i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				latencies = append(latencies, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu1, err := srv.cpu()
	if err != nil {
		return tracingResult{}, err
	}
	if firstErr != nil {
		return tracingResult{}, firstErr
	}
	slices.Sort(latencies)
	return tracingResult{Clients: clients, Requests: requests,
		ReqPerSec:   float64(requests) / wall.Seconds(),
		CPUPerReqUs: float64((cpu1 - cpu0).Microseconds()) / float64(requests),
		P50Ms:       float64(percentile(latencies, 0.50).Microseconds()) / 1000,
		P99Ms:       float64(percentile(latencies, 0.99).Microseconds()) / 1000}, nil
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
