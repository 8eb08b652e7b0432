package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Real plugin binaries, built once for the whole package.
var (
	wordfilterBin   string // bundled plugin
	testpolicyBin   string // testdata/testpolicy; link it under a name with testPolicyPath
	testpolicyV2Bin string // the same, reporting version 2.0.0-test
	spamguardBin    string // bundled plugins
	rankerBin       string
)

// testStartTimeout is generous: -race binaries start slowly on a busy
// shared machine, and a start timeout is not what these tests are about.
const testStartTimeout = time.Minute

// wordfilterVersion is the bundled word filter's version.
const wordfilterVersion = "1.1.0"

func TestMain(m *testing.M) {
	if file := os.Getenv(helperEnv); file != "" {
		os.Exit(runHelperHost(file))
	}
	if socket := os.Getenv(strangerEnv); socket != "" {
		os.Exit(runStranger(socket))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "policy-test-plugins-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	// `make test` has already built the bundled plugins; use those, so the
	// tests exercise the binaries that ship.
	for name, bin := range map[string]*string{"wordfilter": &wordfilterBin, "spamguard": &spamguardBin, "ranker": &rankerBin} {
		*bin = filepath.Join(os.Getenv("STARLING_TEST_PLUGIN_DIR"), name)
		if os.Getenv("STARLING_TEST_PLUGIN_DIR") == "" || !isFile(*bin) {
			*bin = filepath.Join(dir, name)
			if err := goBuild(*bin, "github.com/starling-social/starling/plugins/"+name); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	testpolicyBin = filepath.Join(dir, "testpolicy")
	if err := goBuild(testpolicyBin, "./testdata/testpolicy"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testpolicyV2Bin = filepath.Join(dir, "testpolicy-v2")
	if err := goBuild(testpolicyV2Bin, "./testdata/testpolicy", "-ldflags=-X main.version=2.0.0-test"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	code := m.Run()

	// Every test closes its hosts, and a failed NewHost must kill what it
	// started: any plugin process still alive here leaked.
	if kids := childProcesses(); len(kids) > 0 {
		fmt.Fprintf(os.Stderr, "leaked child processes: %v\n", kids)
		return 1
	}
	return code
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func goBuild(out, pkg string, flags ...string) error {
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if !isFile(gobin) {
		gobin = "go"
	}
	cmd := exec.Command(gobin, append(append([]string{"build", "-o", out}, flags...), pkg)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, stderr.String())
	}
	return nil
}

// childProcesses lists this process's live children as "pid (comm)", read
// from /proc; elsewhere it finds none.
func childProcesses() []string {
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []string
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...; comm may contain spaces and parentheses.
		s := string(b)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) >= 2 && fields[1] == self {
			kids = append(kids, s[:end+1])
		}
	}
	return kids
}

// testPolicyPath makes the testpolicy binary available under name (it
// reports its file name as its plugin name) and returns the path.
func testPolicyPath(t *testing.T, name string) string {
	t.Helper()
	return linkAs(t, testpolicyBin, filepath.Join(t.TempDir(), name))
}

// linkAs makes bin available at path (a hard link, else a copy).
func linkAs(t *testing.T, bin, path string) string {
	t.Helper()
	if err := os.Link(bin, path); err != nil {
		copyFile(t, bin, path)
	}
	return path
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// spec is a valid enabled entry for the binary at path, pinned to it.
func spec(t *testing.T, name, path string, failMode FailMode, config string) PluginSpec {
	t.Helper()
	sum, err := fileSHA256(path)
	if err != nil {
		sum = strings.Repeat("0", 64) // missing binary: the host must say so
	}
	return PluginSpec{
		Name:     name,
		Path:     path,
		SHA256:   sum,
		Hooks:    []string{"check_status"},
		FailMode: failMode,
		Timeout:  Duration(2 * time.Second),
		Enabled:  true,
		Config:   json.RawMessage(config),
	}
}

// testPolicy is a spec for a testpolicy plugin called name in mode.
func testPolicy(t *testing.T, name, mode string, failMode FailMode) PluginSpec {
	t.Helper()
	return spec(t, name, testPolicyPath(t, name), failMode, fmt.Sprintf(`{"mode": %q, "reason": "%s says %s"}`, mode, name, mode))
}

// wordfilter is a spec for the bundled word filter with action.
func wordfilter(t *testing.T, action string) PluginSpec {
	t.Helper()
	return spec(t, "wordfilter", wordfilterBin, FailClosed,
		fmt.Sprintf(`{"words": ["spamword", "scamlink"], "action": %q}`, action))
}

// testHost is a started Host with its log and metrics registry.
type testHost struct {
	*Host
	log *syncBuffer
	reg *prometheus.Registry
}

// startHost starts a Host for specs and closes it when the test ends.
func startHost(t *testing.T, specs ...PluginSpec) *testHost {
	t.Helper()
	h, err := newTestHost(t, specs...)
	if err != nil {
		t.Fatalf("NewHost: %v", err)
	}
	return h
}

func newTestHost(t *testing.T, specs ...PluginSpec) (*testHost, error) {
	t.Helper()
	return newHostFor(t, &Manifest{Plugins: specs, Dir: t.TempDir()})
}

// newHostFor starts a Host for m, logging to a buffer shown if the test
// fails, and closes it when the test ends.
func newHostFor(t *testing.T, m *Manifest) (*testHost, error) {
	t.Helper()
	th := &testHost{log: &syncBuffer{}, reg: prometheus.NewRegistry()}
	// Plugin output goes to a buffer, not t.Log: go-plugin may log from its
	// goroutines, and the log is shown only when the test fails.
	logger := slog.New(slog.NewJSONHandler(th.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("host log:\n%s", th.log.String())
		}
	})
	h, err := NewHost(context.Background(), m, logger, Options{Registerer: th.reg, StartTimeout: testStartTimeout})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = h.Close() })
	th.Host = h
	return th, nil
}

// count reads starling_policy_decisions_total for one label set, summed
// over the plugin's versions.
func (th *testHost) count(t *testing.T, plugin, hook, verdict string) float64 {
	t.Helper()
	total := 0.0
	for _, m := range th.series(t, "starling_policy_decisions_total") {
		if m.labels["plugin"] == plugin && m.labels["hook"] == hook && m.labels["verdict"] == verdict {
			total += m.value
		}
	}
	return total
}

// sample is one series of a gathered metric: its labels, and its value
// (a counter's, or a histogram's sample count).
type sample struct {
	labels map[string]string
	value  float64
}

// series returns every series of the metric named name.
func (th *testHost) series(t *testing.T, name string) []sample {
	t.Helper()
	mfs, err := th.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sm := sample{labels: map[string]string{}, value: m.GetCounter().GetValue()}
			if h := m.GetHistogram(); h != nil {
				sm.value = float64(h.GetSampleCount())
			}
			for _, l := range m.GetLabel() {
				sm.labels[l.GetName()] = l.GetValue()
			}
			out = append(out, sm)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of go-plugin's
// log goroutines and the host.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
