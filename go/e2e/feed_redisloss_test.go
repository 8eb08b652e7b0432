package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// redisLossPort is the port of the Redis this drill starts and kills (the
// feed tests' range, 7100-7199).
const redisLossPort = 7110

// startRedis runs a throwaway redis-server on port, without persistence.
func startRedis(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	ping := func() bool {
		out, err := exec.Command("redis-cli", "-p", fmt.Sprint(port), "ping").Output()
		return err == nil && strings.TrimSpace(string(out)) == "PONG"
	}
	if ping() {
		// A stray server (an interrupted run's) would answer for the one
		// started here, and outlive its kill.
		t.Fatalf("a Redis already listens on port %d", port)
	}
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Skipf("redis-server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 100 {
		if ping() {
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis-server on %d did not answer", port)
	return nil
}

// TestFeedRedisLossDrill: the Redis holding the timelines is killed under
// read and write load: no home read fails (they fall back to SQL), posts
// are still acknowledged, /readyz reports the loss; once a new, empty
// Redis is up, timelines are rebuilt from SQL and hold every status
// acknowledged while it was down, once; the fan-outs that failed are
// delivered again by the outbox, after which every acknowledged status is
// there once.
//
// A fan-out may still fail for up to a second after Redis is back: the
// client's dial circuit breaker keeps refusing new connections until its
// next probe. A status posted then is left to the relay like one posted
// while Redis was down, so the first check excuses exactly the statuses
// acknowledged after the restart whose delivery the server logged as
// failed; the second requires them too.
func TestFeedRedisLossDrill(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	rs := startRedis(t, redisLossPort)
	s := startServer(t, t.TempDir(), "--redis", fmt.Sprintf("redis://127.0.0.1:%d/0", redisLossPort),
		"--feed-strategy", "hybrid", "--celebrity-threshold", "3", "--rate-limit", "0")
	_, appTok := newApp(t, s)
	author := register(t, s, appTok, "author")
	var a account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", author, nil), http.StatusOK).decode(t, &a)
	readers := make([]string, 2)
	for i := range readers {
		readers[i] = register(t, s, appTok, fmt.Sprintf("reader%d", i))
		s.must(s.do("POST", "/api/v1/accounts/"+a.ID+"/follow", readers[i], nil), http.StatusOK)
		homeIDs(t, s, readers[i])
	}

	var (
		acked     []string
		mu        sync.Mutex
		failed    atomic.Int64
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		client    = &http.Client{Timeout: 10 * time.Second}
		readsDone atomic.Int64
	)
	wg.Add(2)
	go func() { // the author posts
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequest("POST", s.base+"/api/v1/statuses", strings.NewReader(url.Values{"status": {fmt.Sprint("loss ", n)}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+author)
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			var st status
			decErr := json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || decErr != nil {
				failed.Add(1)
				continue
			}
			mu.Lock()
			acked = append(acked, st.ID)
			mu.Unlock()
		}
	}()
	go func() { // the readers read
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequest("GET", s.base+"/api/v1/timelines/home?limit=20", nil)
			req.Header.Set("Authorization", "Bearer "+readers[i%len(readers)])
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
			if err == nil {
				resp.Body.Close()
			}
			readsDone.Add(1)
		}
	}()
	time.Sleep(time.Second)
	mu.Lock()
	ackedBeforeLoss := len(acked)
	mu.Unlock()
	_ = rs.Process.Kill()
	_ = rs.Wait()
	time.Sleep(2 * time.Second)
	// Degraded, not down: the server still serves (200), and says so.
	if r := s.do("GET", "/readyz", "", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"degraded"`) ||
		!strings.Contains(string(r.body), `"redis":"error"`) {
		t.Errorf("/readyz with Redis gone: %d %s, want 200 degraded", r.status, r.body)
	}
	if got := metric(t, s, "starling_timeline_store_degraded"); got != 1 {
		t.Errorf("starling_timeline_store_degraded = %v with Redis gone, want 1", got)
	}
	rebuiltBefore := metric(t, s, `starling_timeline_reads_total{result="rebuilt"}`)
	rs = startRedis(t, redisLossPort) // a new, empty Redis
	mu.Lock()
	ackedWhileDown := len(acked)
	mu.Unlock()
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d requests failed across the Redis loss (%d reads)", n, readsDone.Load())
	}
	if ackedWhileDown == ackedBeforeLoss {
		t.Error("no post was acknowledged while Redis was down")
	}
	if r := s.must(s.do("GET", "/readyz", "", nil), http.StatusOK); !strings.Contains(string(r.body), `"status":"ok"`) {
		t.Errorf("/readyz with Redis back: %s", r.body)
	}
	if got := metric(t, s, "starling_timeline_store_degraded"); got != 0 {
		t.Errorf("starling_timeline_store_degraded = %v with Redis back, want 0", got)
	}
	// missing reports the first acknowledged status (of those not excused)
	// that a reader's home does not hold exactly once.
	missing := func(excused map[string]bool) string {
		t.Helper()
		for i, tok := range readers {
			count := map[string]int{}
			for _, id := range homeIDs(t, s, tok) {
				count[id]++
			}
			for _, id := range acked {
				if count[id] != 1 && !(excused[id] && count[id] == 0) {
					return fmt.Sprintf("reader%d's home holds acknowledged status %s %d times", i, id, count[id])
				}
			}
		}
		return ""
	}
	relayed := map[string]bool{}
	for _, id := range failedDeliveries(t, s) {
		relayed[id] = true
	}
	excused := map[string]bool{}
	for _, id := range acked[ackedWhileDown:] {
		excused[id] = relayed[id]
	}
	if m := missing(excused); m != "" {
		t.Fatalf("after Redis came back: %s", m)
	}
	// The new Redis was empty: the readers' homes were rebuilt from SQL.
	if after := metric(t, s, `starling_timeline_reads_total{result="rebuilt"}`); after <= rebuiltBefore {
		t.Errorf("no timeline rebuilt after Redis came back (rebuilt reads %v, then %v)", rebuiltBefore, after)
	}
	// The relay redelivers each failed fan-out once its lease (10 s) has
	// run out, and the outbox empties; then every status is there once.
	if len(relayed) == 0 {
		t.Fatal("no delivery failed while Redis was down: the drill did not exercise the relay")
	}
	deadline := time.Now().Add(30 * time.Second)
	for metric(t, s, "starling_outbox_oldest_age_seconds") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the outbox still holds undelivered statuses 30 s after Redis came back")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if m := missing(nil); m != "" {
		t.Fatalf("after the relay: %s", m)
	}
	// The log stays JSON while Redis is down (the Redis client's messages
	// included).
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %.200s", line)
			break
		}
	}
	t.Logf("%d posts acknowledged (%d while Redis was down; %d deliveries left to the relay), %d home reads, 0 failed",
		len(acked), ackedWhileDown-ackedBeforeLoss, len(relayed), readsDone.Load())
}

// failedDeliveries returns the statuses whose delivery the server logged
// as failed (left to the outbox relay).
func failedDeliveries(t *testing.T, s *server) []string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var rec struct {
			Msg    string
			Status json.Number
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "outbox: delivery failed; the relay retries" {
			ids = append(ids, rec.Status.String())
		}
	}
	return ids
}

// metric reads one sample of the server's metrics (admin listener): name
// with its labels as Prometheus writes them.
func metric(t *testing.T, s *server, sample string) float64 {
	t.Helper()
	body := string(s.must(s.do("GET", s.adminBase+"/metrics", "e2e-admin-token", nil), http.StatusOK).body)
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric %s: %q", sample, line)
			}
			return f
		}
	}
	t.Fatalf("metric %s missing from /metrics", sample)
	return 0
}
