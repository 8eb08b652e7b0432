package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ErrEmbedderUnavailable is returned while the circuit breaker is open:
// the embedding service failed repeatedly and is not being called.
var ErrEmbedderUnavailable = errors.New("search: embedding service unavailable (circuit open)")

// HTTPEmbedderConfig configures an embedder that calls an OpenAI-compatible
// POST {URL}/embeddings (OpenAI, Ollama, vLLM, TEI and most hosted
// services speak it).
type HTTPEmbedderConfig struct {
	// URL is the API base, e.g. http://127.0.0.1:11434/v1 (required).
	URL string
	// Model is sent as "model" and names the vectors (required).
	Model string
	// Dim is the dimension the model returns (required: the index is
	// shaped by it, and every answer is checked against it).
	Dim int
	// APIKey, if set, is sent as a bearer token.
	APIKey string
	// BatchSize is the most texts per request (default 64).
	BatchSize int
	// Timeout bounds each request (default 10 s); QueryTimeout bounds the
	// embedding of a search query, which a user waits for (default 2 s).
	Timeout, QueryTimeout time.Duration
	// Retries is how many times a failed request is retried (default 3),
	// after Backoff, doubling, with jitter (default 200 ms).
	Retries int
	Backoff time.Duration
	// BreakerFailures consecutive failed calls open the circuit (default
	// 5); it stays open for BreakerCooldown (default 30 s), then one trial
	// call decides whether it closes.
	BreakerFailures int
	BreakerCooldown time.Duration
	// Client is the HTTP client (default: a new one; requests carry their
	// own deadlines).
	Client *http.Client
	Log    *slog.Logger
	// now is the breaker's clock (tests).
	now func() time.Time
}

// HTTPEmbedder embeds text with a remote OpenAI-compatible service:
// batched, with per-request timeouts, retries with exponential backoff on
// transient failures (network errors, timeouts, 429 and 5xx), and a circuit
// breaker so an outage costs one fast error per call, not a timeout each.
// It is safe for concurrent use.
type HTTPEmbedder struct {
	cfg HTTPEmbedderConfig

	mu       sync.Mutex
	failures int       // consecutive failed calls
	openedAt time.Time // zero when closed
	trial    bool      // a half-open trial call is in flight
}

// NewHTTPEmbedder checks cfg and returns the embedder.
func NewHTTPEmbedder(cfg HTTPEmbedderConfig) (*HTTPEmbedder, error) {
	if cfg.URL == "" || cfg.Model == "" || cfg.Dim < 1 {
		return nil, fmt.Errorf("search: HTTP embedder needs a URL, a model and a dimension")
	}
	if !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return nil, fmt.Errorf("search: HTTP embedder URL %q is not http(s)", cfg.URL)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 2 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	if cfg.BreakerFailures <= 0 {
		cfg.BreakerFailures = 5
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &HTTPEmbedder{cfg: cfg}, nil
}

// Name identifies the vectors: the service's model and dimension.
func (e *HTTPEmbedder) Name() string { return fmt.Sprintf("openai:%s:%d", e.cfg.Model, e.cfg.Dim) }

// Dim is the model's dimension.
func (e *HTTPEmbedder) Dim() int { return e.cfg.Dim }

// Embed embeds one text within QueryTimeout, or returns nil when the
// service fails or the text has no words: search then falls back to full
// text, and a status is embedded later by the background job.
func (e *HTTPEmbedder) Embed(text string) []float32 {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.QueryTimeout)
	defer cancel()
	vs, err := e.EmbedBatch(ctx, []string{text})
	if err != nil {
		e.cfg.Log.Warn("search: embedding service", "err", err)
		return nil
	}
	return vs[0]
}

// EmbedBatch embeds texts (in BatchSize requests) and returns one unit
// vector per text, in order, or an error if any request failed for good.
func (e *HTTPEmbedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.cfg.BatchSize {
		batch := texts[start:min(start+e.cfg.BatchSize, len(texts))]
		vs, err := e.call(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// call sends one batch through the breaker, retrying transient failures.
func (e *HTTPEmbedder) call(ctx context.Context, batch []string) ([][]float32, error) {
	if err := e.allow(); err != nil {
		return nil, err
	}
	var err error
	for attempt := 0; attempt <= e.cfg.Retries; attempt++ {
		if attempt > 0 {
			// Exponential backoff with full jitter, so clients that failed
			// together do not retry together.
			d := e.cfg.Backoff << (attempt - 1)
			d = d/2 + rand.N(d/2+1)
			select {
			case <-ctx.Done():
				e.record(false)
				return nil, fmt.Errorf("search: embedding service: %w (after %v)", ctx.Err(), err)
			case <-time.After(d):
			}
		}
		var vs [][]float32
		var retry bool
		vs, retry, err = e.post(ctx, batch)
		if err == nil {
			e.record(true)
			return vs, nil
		}
		if !retry || ctx.Err() != nil {
			break
		}
	}
	e.record(false)
	return nil, err
}

// allow says whether a call may go out: always while closed; while open,
// only one trial after the cooldown (half-open).
func (e *HTTPEmbedder) allow() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.openedAt.IsZero() {
		return nil
	}
	if e.trial || e.cfg.now().Sub(e.openedAt) < e.cfg.BreakerCooldown {
		return ErrEmbedderUnavailable
	}
	e.trial = true
	return nil
}

// record counts a call's outcome: a success closes the circuit, the
// BreakerFailures-th consecutive failure (or a failed trial) opens it.
func (e *HTTPEmbedder) record(ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wasTrial := e.trial
	e.trial = false
	if ok {
		if !e.openedAt.IsZero() {
			e.cfg.Log.Info("search: embedding service is back; circuit closed")
		}
		e.failures, e.openedAt = 0, time.Time{}
		return
	}
	e.failures++
	if wasTrial || (e.openedAt.IsZero() && e.failures >= e.cfg.BreakerFailures) {
		e.openedAt = e.cfg.now()
		e.cfg.Log.Warn("search: embedding service failing; circuit open", "failures", e.failures, "cooldown", e.cfg.BreakerCooldown)
	}
}

// Open reports whether the circuit is open (the service is considered down).
func (e *HTTPEmbedder) Open() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.openedAt.IsZero()
}

type embeddingsRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embeddingsResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
}

// post makes one request; retry says whether a failure is transient.
func (e *HTTPEmbedder) post(ctx context.Context, batch []string) (vs [][]float32, retry bool, err error) {
	body, _ := json.Marshal(embeddingsRequest{Model: e.cfg.Model, Input: batch})
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.URL+"/embeddings", bytes.NewReader(body))
	if err != nil {
		return nil, false, fmt.Errorf("search: embedding request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+e.cfg.APIKey)
	}
	resp, err := e.cfg.Client.Do(req)
	if err != nil {
		return nil, true, fmt.Errorf("search: embedding service: %w", err)
	}
	defer resp.Body.Close()
	// A vector is at most about 25 bytes a value in JSON; allow twice that.
	limit := int64(len(batch))*int64(e.cfg.Dim)*50 + 1<<20
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, true, fmt.Errorf("search: embedding service: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		transient := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		return nil, transient, fmt.Errorf("search: embedding service answered %s", resp.Status)
	}
	if int64(len(raw)) > limit {
		return nil, false, fmt.Errorf("search: embedding service answer exceeds %d bytes", limit)
	}
	var r embeddingsResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, false, fmt.Errorf("search: embedding service answer: %w", err)
	}
	if len(r.Data) != len(batch) {
		return nil, false, fmt.Errorf("search: embedding service returned %d vectors for %d texts", len(r.Data), len(batch))
	}
	vs = make([][]float32, len(batch))
	for _, d := range r.Data {
		if d.Index < 0 || d.Index >= len(batch) || vs[d.Index] != nil {
			return nil, false, fmt.Errorf("search: embedding service answer has a bad or repeated index %d", d.Index)
		}
		if len(d.Embedding) != e.cfg.Dim {
			return nil, false, fmt.Errorf("search: embedding service returned dimension %d, configured %d", len(d.Embedding), e.cfg.Dim)
		}
		v, ok := unit(d.Embedding)
		if !ok {
			return nil, false, fmt.Errorf("search: embedding service returned a zero or non-finite vector")
		}
		vs[d.Index] = v
	}
	return vs, false, nil
}

// unit returns v scaled to length 1, or false if v is zero or not finite.
func unit(v []float64) ([]float32, bool) {
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return nil, false
	}
	inv := 1 / math.Sqrt(norm)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out, true
}
