package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTracingEndToEnd runs the tracing bench briefly against the real
// server in two modes: every line carries requests without errors, server
// CPU and the load average; with sampling at 100% the sink receives OTLP,
// with tracing off nothing.
func TestTracingEndToEnd(t *testing.T) {
	bin := os.Getenv("STARLING_TEST_BIN")
	if bin == "" {
		t.Skip("STARLING_TEST_BIN not set: run `make test`, which builds bin/starling first")
	}
	code, stdout, stderr := runCmd(t, "tracing", "--server", bin, "--accounts", "6", "--follows", "3", "--statuses", "2",
		"--conns", "2", "--duration", "300ms", "--warmup", "100ms", "--modes", "off,1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []string
	exported := map[string]int64{} // OTLP bytes by mode (the exporter batches: one op may see none)
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r tracingResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Mode+":"+r.Op)
		if r.Requests == 0 || r.Errors != 0 || r.CPUPerReqUs <= 0 || r.Load1 < 0 || r.Commit == "" {
			t.Errorf("line %s", l)
		}
		exported[r.Mode] += r.ExportBytes
	}
	if exported["off"] != 0 || exported["ratio=1"] == 0 {
		t.Errorf("OTLP bytes received by mode: %v; want none with tracing off, some at 100%%", exported)
	}
	if want := []string{"off:home", "off:post", "ratio=1:home", "ratio=1:post"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	for _, bad := range [][]string{{"--ops", "home,nope"}, {"--modes", "2"}, {"--modes", ""}, {"--conns", "0"}} {
		if code, _, _ := runCmd(t, append([]string{"tracing"}, bad...)...); code != 2 {
			t.Errorf("tracing %q: exit %d, want 2", bad, code)
		}
	}
}
