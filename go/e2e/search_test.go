package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starling-social/starling/go/search"
)

// TestSearchForgetsDeletedStatuses is issue #7 §14 over HTTP on SQLite:
// posting and deleting the same words again and again must not push a
// live status out of search results (deleted statuses used to stay in the
// vector index and fill the candidates search asks it for).
func TestSearchForgetsDeletedStatuses(t *testing.T) {
	searchForgetsDeleted(t, t.TempDir())
}

// TestSearchForgetsDeletedStatusesPostgres is the same on PostgreSQL.
func TestSearchForgetsDeletedStatusesPostgres(t *testing.T) {
	searchForgetsDeleted(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

func searchForgetsDeleted(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, append([]string{"--rate-limit", "0"}, extra...)...)
	_, _, tok := users(t, s, "alice", "bob")
	var live status
	// Not every query word is in it, so only the vector index finds it:
	// full-text search needs them all.
	s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"my sourdough loaf came out dense"}}), http.StatusOK).decode(t, &live)
	for range 15 {
		var spam status
		s.must(s.do("POST", "/api/v1/statuses", tok["bob"], url.Values{"status": {"sourdough loaf crumb"}}), http.StatusOK).decode(t, &spam)
		s.must(s.do("DELETE", "/api/v1/statuses/"+spam.ID, tok["bob"], nil), http.StatusOK)
	}
	var res struct {
		Statuses []status `json:"statuses"`
	}
	s.must(s.do("GET", "/api/v2/search?type=statuses&limit=1&q="+url.QueryEscape("sourdough loaf crumb"), tok["alice"], nil),
		http.StatusOK).decode(t, &res)
	if !slices.Equal(ids(res.Statuses), []string{live.ID}) {
		t.Fatalf("search after 15 post+delete rounds found %v, want the live status %s", ids(res.Statuses), live.ID)
	}
}

// TestSearchAcrossProcesses runs two server processes on one PostgreSQL
// database (and the real Redis for events): a status posted through one is
// found by search through the other (its index follows the database), and
// a status deleted through one leaves the other's results.
func TestSearchAcrossProcesses(t *testing.T) {
	redisURL := os.Getenv("STARLING_TEST_REDIS")
	if redisURL == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	db := freshPostgresSchema(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	channel := "starling:e2e:" + hex.EncodeToString(b) // other tests share this Redis
	flags := []string{"--db", db, "--redis", redisURL, "--redis-channel", channel, "--rate-limit", "0", "--index-follow", "100ms"}
	a := startServer(t, t.TempDir(), flags...)
	bsrv := startServer(t, t.TempDir(), flags...)
	_, _, tok := users(t, a, "alice")

	search := func(q string) []string {
		var res struct {
			Statuses []status `json:"statuses"`
		}
		a.must(a.do("GET", "/api/v2/search?type=statuses&limit=5&q="+url.QueryEscape(q), tok["alice"], nil), http.StatusOK).decode(t, &res)
		return ids(res.Statuses)
	}
	// eventually retries check against process A until it holds: B's
	// writes reach A's index asynchronously (catch-up, events).
	eventually := func(what string, check func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !check() {
			if time.Now().After(deadline) {
				t.Fatalf("process A never saw %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var posted status
	// "zeppelins" alone: full text needs every query word, so only the
	// vector index can answer "zeppelins over harbour".
	bsrv.must(bsrv.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"zeppelins drifting"}}), http.StatusOK).decode(t, &posted)
	eventually("the status posted through B", func() bool { return slices.Equal(search("zeppelins over harbour"), []string{posted.ID}) })
	bsrv.must(bsrv.do("DELETE", "/api/v1/statuses/"+posted.ID, tok["alice"], nil), http.StatusOK)
	eventually("the delete through B", func() bool { return len(search("zeppelins over harbour")) == 0 })
	// And its vector left A's index, not only the results (which skip
	// what no longer loads): by the delete event, or at the latest when a
	// search found it missing from the database.
	eventually("the vector removed from its index", func() bool {
		var list []struct {
			Name    string `json:"name"`
			Vectors int    `json:"vectors"`
		}
		a.must(a.do("GET", a.adminBase+"/admin/indexes", "e2e-admin-token", nil), http.StatusOK).decode(t, &list)
		return len(list) == 1 && list[0].Name == "statuses" && list[0].Vectors == 0
	})
}

// TestIndexLifecycle runs the vector index through its life in the real
// binary: the exact index is replaced by IVF-PQ past the threshold,
// `starling index rebuild|status|check` drive and measure it through the
// admin listener, and a restart loads the snapshot and catches up.
func TestIndexLifecycle(t *testing.T) {
	bin, _ := binaries(t)
	dir := t.TempDir()
	flags := []string{"--rate-limit", "0", "--index-flat-threshold", "200", "--index-follow", "0"}
	s := startServer(t, dir, flags...)
	_, _, tok := users(t, s, "alice")
	topics := []string{"sourdough bread baking", "river running shoes", "espresso grinder burrs", "balcony tomato plants", "violin practice scales"}
	for i := range 220 {
		text := fmt.Sprintf("%s note %d", topics[i%len(topics)], i)
		s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {text}}), http.StatusOK)
	}
	cli := func(args ...string) (string, error) {
		a := strings.TrimPrefix(s.adminBase, "http://")
		out, err := exec.Command(bin, append(args, "--admin-addr", a, "--admin-token", "e2e-admin-token")...).CombinedOutput()
		return string(out), err
	}
	out, err := cli("index", "rebuild", "statuses", "--progress-every", "50ms")
	if err != nil || !strings.Contains(out, "statuses: ivfpq index serving 220 vectors") {
		t.Fatalf("index rebuild: %v\n%s", err, out)
	}
	out, err = cli("index", "status")
	if err != nil || !regexp.MustCompile(`statuses\s+ivfpq\s+220\s`).MatchString(out) {
		t.Fatalf("index status: %v\n%s", err, out)
	}
	out, err = cli("index", "check", "--queries", "50")
	if err != nil || !strings.Contains(out, "meets the 0.95 target") {
		t.Fatalf("index check: %v\n%s", err, out)
	}
	if out, err := cli("index", "check", "nosuch"); err == nil || !strings.Contains(out, "no such index") {
		t.Fatalf("check of an unknown index: %v\n%s", err, out)
	}
	s.stop() // writes the snapshot

	// Posted while the first process is down, through a second one that
	// reads the same database but has its own (empty) snapshot dir.
	other := startServer(t, dir, append(flags, "--index-dir", t.TempDir())...)
	var late status
	other.must(other.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"zeppelin sighting at dawn"}}), http.StatusOK).decode(t, &late)
	other.stop()

	again := startServer(t, dir, flags...)
	ready := again.startupRecord("search: status index ready")
	if ready == nil || ready["from"] != "snapshot" || ready["kind"] != "ivfpq" || ready["vectors"] != float64(221) || ready["caught_up"] != float64(1) {
		t.Fatalf("restart: index ready record %v", ready)
	}
	var res struct {
		Statuses []status `json:"statuses"`
	}
	again.must(again.do("GET", "/api/v2/search?type=statuses&q=zeppelin+sky", tok["alice"], nil), http.StatusOK).decode(t, &res)
	if !slices.Equal(ids(res.Statuses), []string{late.ID}) {
		t.Fatalf("status caught up after restart not found: %v", ids(res.Statuses))
	}
}

// TestOpenAIEmbedderOutage runs the server with --embedder openai against
// a local service speaking POST /v1/embeddings, started by the test: while
// the service is down, posting and full-text search keep working; when it
// is back, the background job embeds what was posted meanwhile and vector
// search finds it.
func TestOpenAIEmbedderOutage(t *testing.T) {
	// The service's vectors: feature hashing, wide enough that the words
	// of these few texts do not collide.
	emb := search.NewHashEmbedder(256)
	var down atomic.Bool
	down.Store(true)
	var requests atomic.Int64
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		if down.Load() {
			http.Error(w, `{"error":"model loading"}`, http.StatusServiceUnavailable)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "e2e-model" {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		var resp struct {
			Data []item `json:"data"`
		}
		for i, text := range req.Input {
			v := emb.Embed(text)
			if v == nil {
				v = make([]float32, 256)
				v[0] = 1
			}
			resp.Data = append(resp.Data, item{Index: i, Embedding: v})
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	defer svc.Close()

	s := startServer(t, t.TempDir(), "--rate-limit", "0", "--embedder", "openai", "--embedder-url", svc.URL+"/v1",
		"--embedder-model", "e2e-model", "--embedder-dim", "256", "--embedder-timeout", "500ms",
		"--embedder-cooldown", "300ms", "--embedder-retry", "200ms")
	_, _, tok := users(t, s, "alice")
	searchIDs := func(q string) []string {
		var res struct {
			Statuses []status `json:"statuses"`
		}
		s.must(s.do("GET", "/api/v2/search?type=statuses&q="+url.QueryEscape(q), tok["alice"], nil), http.StatusOK).decode(t, &res)
		return ids(res.Statuses)
	}
	var first status
	s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"zeppelin sighting over the harbour"}}), http.StatusOK).decode(t, &first)
	if got := searchIDs("zeppelin harbour"); !slices.Equal(got, []string{first.ID}) {
		t.Fatalf("full-text search during the outage: %v", got)
	}
	if got := searchIDs("zeppelin sky"); len(got) != 0 {
		t.Fatalf("a vector match without an embedding service: %v", got)
	}
	if requests.Load() == 0 {
		t.Fatal("the embedding service was never called")
	}

	down.Store(false)
	// The job retries: after the circuit's cooldown a trial call finds the
	// service back, and the backlog is embedded.
	deadline := time.Now().Add(15 * time.Second)
	for !slices.Equal(searchIDs("zeppelin sky"), []string{first.ID}) {
		if time.Now().After(deadline) {
			idx := s.must(s.do("GET", s.adminBase+"/admin/indexes", "e2e-admin-token", nil), http.StatusOK)
			t.Fatalf("the status posted during the outage was never embedded; index %s\n%s", idx.body, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
