package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// streamResult is one JSON line of `stream`: the server's CPU per posted
// status with a number of listeners on the public stream. Documented in
// bench/README.md.
type streamResult struct {
	Engine    string `json:"engine"`
	Bench     string `json:"bench"`
	Op        string `json:"op"` // "listeners" (one level) or "fit" (the line through the levels)
	Listeners int    `json:"listeners,omitempty"`
	SignedIn  int    `json:"signed_in"`
	Events    int    `json:"events_per_round,omitempty"`
	Rounds    int    `json:"rounds,omitempty"`
	// CPUPerEvent* are server CPU µs (all threads) per posted status, over
	// the rounds: the post's own request and its delivery to every listener.
	CPUPerEventMedian float64   `json:"cpu_us_per_event,omitempty"`
	CPUPerEventMin    float64   `json:"cpu_us_per_event_min,omitempty"`
	CPUPerEventMax    float64   `json:"cpu_us_per_event_max,omitempty"`
	CPUPerEventRounds []float64 `json:"cpu_us_per_event_rounds,omitempty"`
	WallMsPerRound    float64   `json:"wall_ms_per_round,omitempty"`
	Delivered         int64     `json:"delivered,omitempty"`   // updates received and checked, all rounds
	FrameBytes        int       `json:"frame_bytes,omitempty"` // mean size of the update frames received
	// Fit: least squares of the median CPU per event against listeners.
	Levels        []int    `json:"levels,omitempty"`
	PerListenerUs *float64 `json:"per_listener_us,omitempty"`
	BaseUs        *float64 `json:"base_us,omitempty"`
	// FloorWriteUs is what the kernel alone charges for one write of a
	// frame this size to a loopback TCP socket (see writeFloor): the part
	// of PerListenerUs no server can avoid on this machine.
	FloorWriteUs    *float64 `json:"floor_write_us,omitempty"`
	TargetPerListUs float64  `json:"target_per_listener_us,omitempty"`
	TargetMet       *bool    `json:"target_met,omitempty"`
	provenance
}

// streamTargetUs is the target: server CPU per extra listener per event.
const streamTargetUs = 5.0

func runStream(e *env, args []string) error {
	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", siblingBinary("starling"), "the starling binary to run")
	levelsFlag := fs.String("listeners", "1,100,400,1000", "listener counts, ascending")
	events := fs.Int("events", 100, "statuses posted per round (at most 200: a connection queues 256 events)")
	rounds := fs.Int("rounds", 5, "measured rounds per listener count")
	signedIn := fs.Int("signed-in", 0, "of the listeners, how many sign in (each its own account); the rest are anonymous")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench stream [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	levels, err := parseLevels(*levelsFlag)
	if err != nil {
		return usageError{err}
	}
	if *events < 1 || *events > 200 || *rounds < 1 || *signedIn < 0 || *signedIn > levels[0] {
		return usagef("--events must be 1..200, --rounds at least 1, --signed-in 0..the smallest listener count")
	}
	if _, err := os.Stat(*server); err != nil {
		return usagef("--server: %v (run make build)", err)
	}

	// No plugins and no rate limits: the bench measures streaming, and
	// every listener connects from 127.0.0.1. The streaming caps go by
	// environment, which a server from before them ignores, so the same
	// bench measures it too.
	srv, err := startServer(e, *server, serverOptions{
		args: []string{"--admin-addr", "", "--plugins", "", "--rate-limit", "0"},
		env:  []string{"STARLING_STREAM_MAX_CONNECTIONS=100000", "STARLING_STREAM_MAX_CONNECTIONS_PER_IP=100000"},
	})
	if err != nil {
		return err
	}
	defer srv.stop()
	poster, tokens, err := srv.setup(*signedIn)
	if err != nil {
		return err
	}
	prov := newProvenance(e.command)
	b := &streamBench{srv: srv, poster: poster}
	defer b.closeAll()
	var medians []float64
	for _, n := range levels {
		for len(b.listeners) < n {
			tok := ""
			if i := len(b.listeners); i < len(tokens) {
				tok = tokens[i]
			}
			if err := b.addListener(tok); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stderr, "stream: %d listeners\n", n)
		if _, _, err := b.round(10); err != nil { // warm-up: relationships loaded, buffers grown
			return err
		}
		res := streamResult{Engine: "starling", Bench: "stream", Op: "listeners", Listeners: n,
			SignedIn: *signedIn, Events: *events, Rounds: *rounds, provenance: prov}
		var walls []float64
		for range *rounds {
			cpu, wall, err := b.round(*events)
			if err != nil {
				return err
			}
			res.CPUPerEventRounds = append(res.CPUPerEventRounds, cpu.Seconds()*1e6/float64(*events))
			walls = append(walls, float64(wall.Microseconds())/1000)
			res.Delivered += int64(n * *events)
		}
		res.CPUPerEventMedian = median(res.CPUPerEventRounds)
		res.CPUPerEventMin, res.CPUPerEventMax = slices.Min(res.CPUPerEventRounds), slices.Max(res.CPUPerEventRounds)
		res.WallMsPerRound = median(walls)
		res.FrameBytes = b.meanFrame()
		medians = append(medians, res.CPUPerEventMedian)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	if len(levels) < 2 {
		return nil
	}
	slope, base := fitLine(levels, medians)
	met := slope <= streamTargetUs
	floor, err := writeFloor(levels[len(levels)-1], b.meanFrame())
	if err != nil {
		return err
	}
	floorUs := floor.Seconds() * 1e6
	return emit(e.stdout, streamResult{Engine: "starling", Bench: "stream", Op: "fit", SignedIn: *signedIn,
		Levels: levels, PerListenerUs: &slope, BaseUs: &base, FloorWriteUs: &floorUs,
		TargetPerListUs: streamTargetUs, TargetMet: &met, provenance: prov})
}

// writeFloor measures the kernel's share of a listener's cost: the CPU
// one thread spends per write of size bytes to n loopback TCP connections
// read at the other end (as the listeners read), counted for that thread
// alone. On loopback the writer's system call also does the
// receiving side's TCP work, as it does for the server's writes.
func writeFloor(n, size int) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return 0, err
		}
		conns = append(conns, c)
		s, err := ln.Accept()
		if err != nil {
			return 0, err
		}
		conns = append(conns, s)
		go func() { _, _ = io.Copy(io.Discard, c) }() // ends when the connection closes
	}
	frame := bytes.Repeat([]byte("x"), max(size, 1))
	perConn := max(20, 20000/n)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, err := threadCPU()
	if err != nil {
		return 0, err
	}
	for range perConn {
		for i := 1; i < len(conns); i += 2 {
			if _, err := conns[i].Write(frame); err != nil {
				return 0, err
			}
		}
	}
	end, err := threadCPU()
	if err != nil {
		return 0, err
	}
	return (end - start) / time.Duration(perConn*n), nil
}

// threadCPU is the calling thread's CPU time, in nanoseconds
// (/proc/thread-self/schedstat; getrusage counts in clock ticks).
func threadCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0, fmt.Errorf("thread CPU: %w", err)
	}
	return parseSchedstat(b)
}

// parseSchedstat reads the first field of a schedstat file: nanoseconds
// on a CPU.
func parseSchedstat(b []byte) (time.Duration, error) {
	f, _, _ := strings.Cut(string(b), " ")
	ns, err := strconv.ParseInt(f, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("schedstat %q: %w", b, err)
	}
	return time.Duration(ns), nil
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("--listeners: want ascending positive counts, got %q", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// fitLine is the least-squares line y = slope·x + base.
func fitLine(xs []int, ys []float64) (slope, base float64) {
	var sx, sy, sxx, sxy float64
	for i, x := range xs {
		fx := float64(x)
		sx, sy, sxx, sxy = sx+fx, sy+ys[i], sxx+fx*fx, sxy+fx*ys[i]
	}
	n := float64(len(xs))
	slope = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return slope, (sy - slope*sx) / n
}

// siblingBinary is name beside the running binary (bin/), else bin/name.
func siblingBinary(name string) string {
	exe, err := os.Executable()
	if err != nil {
		return filepath.Join("bin", name)
	}
	return filepath.Join(filepath.Dir(exe), name)
}

// setup registers an app, the posting account and signedIn listener
// accounts, and returns their tokens.
func (s *benchServer) setup(signedIn int) (poster string, listeners []string, _ error) {
	app, err := s.appToken()
	if err != nil {
		return "", nil, err
	}
	poster, err = s.register(app, "poster")
	if err != nil {
		return "", nil, err
	}
	for i := range signedIn {
		t, err := s.register(app, "listener"+strconv.Itoa(i))
		if err != nil {
			return "", nil, err
		}
		listeners = append(listeners, t)
	}
	return poster, listeners, nil
}

// streamBench holds the listeners of one run.
type streamBench struct {
	srv       *benchServer
	poster    string
	listeners []*streamListener

	received atomic.Int64 // updates received this round, all listeners
	want     atomic.Int64
	done     chan struct{}
	doneOnce *sync.Once
}

// streamListener is one connection on the public stream. It keeps the IDs
// of the updates it received, checked against what was posted.
type streamListener struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	ids    []string
	err    error
	bytes  int64 // of the update frames received, all rounds
	frames int64
}

func (b *streamBench) addListener(token string) error {
	ws := "ws" + strings.TrimPrefix(b.srv.base, "http") + "/api/v1/streaming?stream=public"
	opts := &websocket.DialOptions{}
	if token != "" {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ws, opts)
	if err != nil {
		return fmt.Errorf("listener %d: %w", len(b.listeners), err)
	}
	l := &streamListener{conn: conn}
	b.listeners = append(b.listeners, l)
	go b.listen(l)
	return nil
}

// listen records each update's status ID and counts it towards the round.
func (b *streamBench) listen(l *streamListener) {
	for {
		_, data, err := l.conn.Read(context.Background())
		if err != nil {
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
			return
		}
		var ev struct{ Event, Payload string }
		var st struct{ ID string }
		if json.Unmarshal(data, &ev) != nil || ev.Event != "update" || json.Unmarshal([]byte(ev.Payload), &st) != nil {
			continue
		}
		l.mu.Lock()
		l.ids = append(l.ids, st.ID)
		l.bytes, l.frames = l.bytes+int64(len(data)), l.frames+1
		l.mu.Unlock()
		if b.received.Add(1) == b.want.Load() {
			b.doneOnce.Do(func() { close(b.done) })
		}
	}
}

// round posts n statuses and waits until every listener has each; it
// returns the server's CPU time and the wall time over the round, after
// checking every listener got exactly the posted statuses, in order.
func (b *streamBench) round(n int) (time.Duration, time.Duration, error) {
	for _, l := range b.listeners {
		l.mu.Lock()
		l.ids = l.ids[:0]
		l.mu.Unlock()
	}
	b.received.Store(0)
	b.want.Store(int64(n * len(b.listeners)))
	b.done, b.doneOnce = make(chan struct{}), &sync.Once{}
	cpu0, err := b.srv.cpu()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	posted := make([]string, 0, n)
	for i := range n {
		var st struct{ ID string }
		if err := b.srv.call("/api/v1/statuses", b.poster, url.Values{"status": {"bench status " + strconv.Itoa(i)}}, &st); err != nil {
			return 0, 0, err
		}
		posted = append(posted, st.ID)
	}
	select {
	case <-b.done:
	case <-time.After(120 * time.Second):
		return 0, 0, fmt.Errorf("after 120s, %d of %d updates received", b.received.Load(), b.want.Load())
	}
	wall := time.Since(start)
	cpu1, err := b.srv.cpu()
	if err != nil {
		return 0, 0, err
	}
	for i, l := range b.listeners {
		l.mu.Lock()
		ok, lerr := slices.Equal(l.ids, posted), l.err
		l.mu.Unlock()
		if lerr != nil || !ok {
			return 0, 0, fmt.Errorf("listener %d: received %d updates not matching the %d posted (%v)", i, len(l.ids), n, lerr)
		}
	}
	return cpu1 - cpu0, wall, nil
}

// meanFrame is the mean size of the update frames received so far.
func (b *streamBench) meanFrame() int {
	var bytes, frames int64
	for _, l := range b.listeners {
		l.mu.Lock()
		bytes, frames = bytes+l.bytes, frames+l.frames
		l.mu.Unlock()
	}
	if frames == 0 {
		return 0
	}
	return int(bytes / frames)
}

func (b *streamBench) closeAll() {
	for _, l := range b.listeners {
		l.conn.CloseNow()
	}
}
