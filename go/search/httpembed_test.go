package search

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// embeddingsServer speaks POST /v1/embeddings as OpenAI-compatible
// services do, answering with HashEmbedder vectors (so results can be
// checked), and can be told to fail, hang or go away.
type embeddingsServer struct {
	*httptest.Server
	emb      *HashEmbedder
	requests atomic.Int64
	fail     atomic.Int64 // answer 503 to this many more requests
	hang     atomic.Bool  // hold requests until the client gives up
	mu       sync.Mutex
	batches  []int
}

func newEmbeddingsServer(t *testing.T) *embeddingsServer {
	t.Helper()
	s := &embeddingsServer{emb: NewHashEmbedder(64)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.hang.Load() {
			// Read the body first: only then does the server notice the
			// client hanging up and cancel the request's context.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		if s.fail.Add(-1) >= 0 {
			http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
			return
		}
		var req embeddingsRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "test-model" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.batches = append(s.batches, len(req.Input))
		s.mu.Unlock()
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string `json:"object"`
			Data   []item `json:"data"`
			Model  string `json:"model"`
		}{Object: "list", Model: req.Model}
		// Answer in reverse order: the index field, not the position, says
		// which text a vector belongs to.
		for i := len(req.Input) - 1; i >= 0; i-- {
			v := s.emb.Embed(req.Input[i])
			if v == nil {
				v = make([]float32, 64)
				v[0] = 1
			}
			resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: v})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestHTTPEmbedder(t *testing.T, url string, clock *fakeClock) *HTTPEmbedder {
	t.Helper()
	e, err := NewHTTPEmbedder(HTTPEmbedderConfig{URL: url + "/v1", Model: "test-model", Dim: 64, APIKey: "k",
		BatchSize: 3, Timeout: 200 * time.Millisecond, QueryTimeout: time.Second, Retries: 2, Backoff: time.Millisecond,
		BreakerFailures: 2, BreakerCooldown: time.Minute, now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestHTTPEmbedderBatchesAndOrders(t *testing.T) {
	srv := newEmbeddingsServer(t)
	e := newTestHTTPEmbedder(t, srv.URL, &fakeClock{t: time.Now()})
	texts := []string{"sourdough bread", "river run", "espresso", "tomatoes", "violin", "chess", "kites"}
	vs, err := e.EmbedBatch(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(srv.batches, []int{3, 3, 1}) {
		t.Fatalf("batches %v, want 3, 3, 1", srv.batches)
	}
	for i, text := range texts {
		if d := dot(vs[i], srv.emb.Embed(text)); d < 0.9999 {
			t.Fatalf("vector %d is not %q's", i, text)
		}
	}
	if e.Name() != "openai:test-model:64" || e.Dim() != 64 {
		t.Fatalf("name %q dim %d", e.Name(), e.Dim())
	}
}

func TestHTTPEmbedderRetriesTransientFailures(t *testing.T) {
	srv := newEmbeddingsServer(t)
	e := newTestHTTPEmbedder(t, srv.URL, &fakeClock{t: time.Now()})
	srv.fail.Store(2) // two 503s, then success: within 2 retries
	if _, err := e.EmbedBatch(context.Background(), []string{"a b"}); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := srv.requests.Load(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	if e.Open() {
		t.Fatal("a call that succeeded on retry opened the circuit")
	}
}

func TestHTTPEmbedderTimeoutsOutageAndRecovery(t *testing.T) {
	srv := newEmbeddingsServer(t)
	clock := &fakeClock{t: time.Now()}
	e := newTestHTTPEmbedder(t, srv.URL, clock)
	ctx := context.Background()

	// A hanging service: each attempt times out, the call fails after the
	// retries; the second failed call opens the circuit.
	srv.hang.Store(true)
	for range 2 {
		if _, err := e.EmbedBatch(ctx, []string{"x"}); err == nil {
			t.Fatal("a hanging service gave vectors")
		}
	}
	if got := srv.requests.Load(); got != 6 {
		t.Fatalf("%d requests for 2 calls with 2 retries, want 6", got)
	}
	if !e.Open() {
		t.Fatal("the circuit is not open after 2 failed calls")
	}
	// Open: calls fail at once without reaching the service.
	before := srv.requests.Load()
	if _, err := e.EmbedBatch(ctx, []string{"x"}); !errors.Is(err, ErrEmbedderUnavailable) {
		t.Fatalf("open circuit: %v", err)
	}
	if e.Embed("query words") != nil {
		t.Fatal("Embed gave a vector while the circuit is open")
	}
	if srv.requests.Load() != before {
		t.Fatal("an open circuit still called the service")
	}
	// After the cooldown one trial goes out; the service is back: closed.
	srv.hang.Store(false)
	clock.add(time.Minute)
	if v := e.Embed("query words"); v == nil || e.Open() {
		t.Fatalf("after the cooldown with the service back: vector %v, open %v", v != nil, e.Open())
	}

	// A service that is gone (connection refused) opens it too.
	srv.Close()
	for range 2 {
		if _, err := e.EmbedBatch(ctx, []string{"x"}); err == nil {
			t.Fatal("a closed service gave vectors")
		}
	}
	if !e.Open() {
		t.Fatal("connection refused did not open the circuit")
	}
}

func TestHTTPEmbedderRejectsBadAnswers(t *testing.T) {
	cases := map[string]string{
		"wrong dimension": `{"data":[{"index":0,"embedding":[1,2,3]}]}`,
		"too few":         `{"data":[]}`,
		"bad index":       `{"data":[{"index":5,"embedding":[` + zeros(63) + `1]}]}`,
		"zero vector":     `{"data":[{"index":0,"embedding":[` + zeros(63) + `0]}]}`,
		"not JSON":        `<html>`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			e := newTestHTTPEmbedder(t, srv.URL, &fakeClock{t: time.Now()})
			if _, err := e.EmbedBatch(context.Background(), []string{"x"}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	for _, cfg := range []HTTPEmbedderConfig{{}, {URL: "ftp://x", Model: "m", Dim: 3}, {URL: "http://x", Model: "m"}} {
		if _, err := NewHTTPEmbedder(cfg); err == nil {
			t.Fatalf("config %+v accepted", cfg)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, '0', ',')
	}
	return string(b)
}
