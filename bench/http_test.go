package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5 * time.Millisecond}, {0.99, 9900 * time.Microsecond}, {0.999, 9990 * time.Microsecond}, {1, 10 * time.Millisecond}} {
		got := h.quantile(c.q)
		// A bucket's upper bound is at most 1/64 above any value in it.
		if got < c.want || float64(got) > float64(c.want)*(1+1.0/64) {
			t.Errorf("quantile(%v) = %v, want %v within 1.6%% above", c.q, got, c.want)
		}
	}
	var other histogram
	other.record(time.Second)
	h.merge(&other)
	if h.n != 10001 || h.quantile(1) != time.Second || h.max != time.Second {
		t.Errorf("after merge: n=%d max=%v q(1)=%v", h.n, h.max, h.quantile(1))
	}
	var empty histogram
	if empty.quantile(0.99) != 0 {
		t.Error("empty histogram has a quantile")
	}
}

// TestHistogramBuckets checks the bucket math on every power of two and
// its neighbours: each value falls in a bucket whose upper bound is at or
// above it and within the stated error.
func TestHistogramBuckets(t *testing.T) {
	for e := 0; e < 61; e++ {
		for _, v := range []uint64{1<<e - 1, 1 << e, 1<<e + 1, 3 << e >> 1} {
			i := histIndex(v)
			if i < 0 || i >= histBuckets {
				t.Fatalf("histIndex(%d) = %d out of range", v, i)
			}
			up := uint64(histUpper(i))
			if up < v || float64(up-v) > float64(v)/64+1 {
				t.Errorf("value %d: bucket %d upper bound %d", v, i, up)
			}
			if i > 0 && uint64(histUpper(i-1)) >= v {
				t.Errorf("value %d: previous bucket's bound %d already holds it", v, histUpper(i-1))
			}
		}
	}
}

// The server's handler time comes from the difference of two scrapes of
// its cumulative duration histogram.
func TestServerDurationQuantiles(t *testing.T) {
	for _, tc := range []struct {
		series string
		le     float64
		ok     bool
	}{
		{`starling_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.004"}`, 0.004, true},
		{`starling_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}`, 0, false},
		{`starling_http_request_duration_seconds_count{method="GET",route="/healthz"}`, 0, false},
		{`starling_http_request_duration_seconds_bucket{le="x"}`, 0, false},
	} {
		if le, ok := durationBucket(tc.series); le != tc.le || ok != tc.ok {
			t.Errorf("durationBucket(%s) = %v, %v; want %v, %v", tc.series, le, ok, tc.le, tc.ok)
		}
	}
	before := cumulativeBuckets{0.001: 10, 0.002: 10, 0.004: 10}
	after := cumulativeBuckets{0.001: 60, 0.002: 108, 0.004: 110} // since: 50, 48, 2 more
	for _, tc := range []struct{ q, want float64 }{{0.5, 0.001}, {0.9, 0.002}, {0.99, 0.004}} {
		if got := after.quantileSince(before, tc.q); got != tc.want {
			t.Errorf("quantile %v = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := before.quantileSince(before, 0.99); got != 0 {
		t.Errorf("no observations: %v, want 0", got)
	}
}

func TestSplitProfileFlags(t *testing.T) {
	p, rest, err := splitProfileFlags([]string{"--cpuprofile", "c.pprof", "-memprofile=m.pprof", "--accounts", "3", "--trace=t.out", "--x"})
	if err != nil || p.cpu != "c.pprof" || p.mem != "m.pprof" || p.trace != "t.out" || !slices.Equal(rest, []string{"--accounts", "3", "--x"}) {
		t.Fatalf("got %+v %q %v", p, rest, err)
	}
	for _, bad := range [][]string{{"--cpuprofile"}, {"--trace="}} {
		if _, _, err := splitProfileFlags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestHTTPEndToEnd seeds a small workload on the real server and runs
// every operation briefly with the bench's own profiles on: every line
// must carry requests without errors, server and client CPU, server
// allocations, the home lines a
// share of /healthz, and the profile files must exist.
func TestHTTPEndToEnd(t *testing.T) {
	bin := os.Getenv("STARLING_TEST_BIN")
	if bin == "" {
		t.Skip("STARLING_TEST_BIN not set: run `make test`, which builds bin/starling first")
	}
	dir := t.TempDir()
	prof := filepath.Join(dir, "server.pprof")
	code, stdout, stderr := runCmd(t, "http", "--server", bin, "--accounts", "6", "--follows", "3", "--statuses", "2",
		"--conns", "2", "--duration", "300ms", "--warmup", "100ms", "--server-cpuprofile-seconds", "1",
		"--server-cpuprofile", prof, "--cpuprofile", filepath.Join(dir, "cpu.pprof"),
		"--memprofile", filepath.Join(dir, "mem.pprof"), "--trace", filepath.Join(dir, "trace.out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var ops []string
	for _, l := range lines {
		var r httpResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		ops = append(ops, r.Phase+":"+r.Op)
		if r.Requests == 0 || r.Errors != 0 || r.ServerCPUUsPerReq <= 0 || r.ClientCPUUsPerReq <= 0 || r.ServerAllocsPerReq <= 0 || r.P99Ms < r.P50Ms || r.Commit == "" ||
			r.ServerP50Ms <= 0 || r.ServerP99Ms < r.ServerP50Ms || !strings.HasPrefix(r.ServerVersion, "starling ") {
			t.Errorf("line %s", l)
		}
		if r.Op == "home" && r.Phase == "warm" && (r.ShareOfHealthz <= 0 || r.Profile != prof) {
			t.Errorf("warm home line lacks share or profile: %s", l)
		}
	}
	if want := []string{"cold:home", "warm:healthz", "warm:home", "warm:post", "warm:mix"}; !slices.Equal(ops, want) {
		t.Errorf("ops %q, want %q", ops, want)
	}
	for _, f := range []string{prof, "cpu.pprof", "mem.pprof", "trace.out"} {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if code, _, _ := runCmd(t, "http", "--ops", "home,nope"); code != 2 {
		t.Errorf("unknown op: exit %d, want 2", code)
	}
}
