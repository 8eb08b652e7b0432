package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/tracing"
)

// addrHandler passes every record to next and sends the address of the
// "listening" record on addr, so a test learns the port the server bound
// without polling.
type addrHandler struct {
	slog.Handler
	addr chan string
}

func (h addrHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "listening" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "addr" {
				h.addr <- a.Value.String()
			}
			return true
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h addrHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return addrHandler{h.Handler.WithAttrs(as), h.addr}
}

func (h addrHandler) WithGroup(name string) slog.Handler {
	return addrHandler{h.Handler.WithGroup(name), h.addr}
}

// TestTracePostStatus posts a status to an in-process server running the
// bundled plugins, with an in-memory span recorder as the tracer provider,
// and checks that the request makes one trace, continuing the caller's
// traceparent: the HTTP span named by route pattern, the social call under
// it, and under that the plugin hook (with its gRPC client span), the SQL
// statements of the write transaction, and the outbox delivery with the
// embedding, the vector index add and the fan-out (push strategy).
func TestTracePostStatus(t *testing.T) {
	pluginDir := os.Getenv("STARLING_TEST_PLUGIN_DIR")
	if pluginDir == "" {
		t.Skip("STARLING_TEST_PLUGIN_DIR not set: run `make build` and set it to bin/plugins (the Makefile does)")
	}
	t.Run("sqlite", func(t *testing.T) { tracePostStatus(t, pluginDir) })
	t.Run("postgres", func(t *testing.T) {
		pg := os.Getenv("STARLING_TEST_PG")
		if pg == "" {
			t.Skip("STARLING_TEST_PG not set: .ci/run sets it to the local PostgreSQL")
		}
		tracePostStatus(t, pluginDir, "--db", pgtest.NewSchema(t, pg))
	})
}

func tracePostStatus(t *testing.T, pluginDir string, extraArgs ...string) {
	rec := tracetest.NewSpanRecorder()
	tracing.Install(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(fs)
	if err := parseFlags(fs, append([]string{"--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--admin-addr", "",
		"--plugins", filepath.Join(pluginDir, "manifest.json"), "--plugins-watch", "0", "--rate-limit", "0", "--feed-strategy", "push"}, extraArgs...)); err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil { // as runServe does: it derives settings too
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	log := slog.New(addrHandler{slog.NewTextHandler(io.Discard, nil), addr})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, log) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	t.Cleanup(stop)

	post := func(path, token string, form url.Values, header http.Header, into any) {
		t.Helper()
		req, err := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
	}
	var app struct{ ClientID, ClientSecret string }
	var appRaw map[string]any
	post("/api/v1/apps", "", url.Values{"client_name": {"trace"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"},
		"scopes": {"read write"}}, nil, &appRaw)
	app.ClientID, app.ClientSecret = appRaw["client_id"].(string), appRaw["client_secret"].(string)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	post("/oauth/token", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "scope": {"read write"}}, nil, &tok)
	appToken := tok.AccessToken
	post("/api/v1/accounts", appToken, url.Values{"username": {"tracer"}, "password": {"correct horse battery"},
		"email": {"tracer@example.test"}, "agreement": {"true"}}, nil, &tok)

	// The caller's trace: the server must continue it, not start its own.
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	var status map[string]any
	post("/api/v1/statuses", tok.AccessToken, url.Values{"status": {"a traced status about espresso"}},
		http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}}, &status)
	// A search in a trace of its own: the query's embedding and the
	// vector search with how it ran.
	const searchTraceID = "5bf92f3577b34da6a3ce929d0e0e4737"
	req, err := http.NewRequest("GET", base+"/api/v2/search?type=statuses&q=espresso", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Traceparent", "00-"+searchTraceID+"-00f067aa0ba902b8-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d", resp.StatusCode)
	}
	stop() // every handler has returned, so every span has ended
	checkSearchTrace(t, rec.Ended(), searchTraceID)

	spans := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var inTrace []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID().String() == traceID {
			spans[s.SpanContext().SpanID()] = s
			inTrace = append(inTrace, s)
		}
	}
	find := func(name string) sdktrace.ReadOnlySpan {
		t.Helper()
		for _, s := range inTrace {
			if s.Name() == name {
				return s
			}
		}
		var names []string
		for _, s := range inTrace {
			names = append(names, s.Name())
		}
		t.Fatalf("no span %q in the trace; spans: %q", name, names)
		return nil
	}
	// under reports whether s descends from ancestor within the trace.
	under := func(s, ancestor sdktrace.ReadOnlySpan) bool {
		for p, ok := s, true; ok; p, ok = spans[p.Parent().SpanID()] {
			if p.Parent().SpanID() == ancestor.SpanContext().SpanID() {
				return true
			}
		}
		return false
	}
	httpSpan := find("POST /api/v1/statuses")
	if httpSpan.SpanKind() != trace.SpanKindServer || httpSpan.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("HTTP span: kind %v, parent %v; want a server span under the caller's span", httpSpan.SpanKind(), httpSpan.Parent().SpanID())
	}
	socialSpan := find("social.PostStatus")
	for _, c := range []struct {
		span     sdktrace.ReadOnlySpan
		ancestor sdktrace.ReadOnlySpan
	}{
		{socialSpan, httpSpan},
		{find("SELECT tokens"), httpSpan}, // a read through the reader pool's prepared statements
		{find("policy.check_status"), socialSpan},
		{find("starling.policy.v1.Policy/CheckStatus"), find("policy.check_status")},
		{find("BEGIN"), socialSpan},
		{find("INSERT statuses"), socialSpan},
		{find("COMMIT"), socialSpan},
		{find("outbox.deliver"), socialSpan},
		{find("vecsearch.Add"), find("outbox.deliver")},
		{find("embed"), find("outbox.deliver")},
		{find("feed.fanout"), find("outbox.deliver")},
	} {
		if !under(c.span, c.ancestor) {
			t.Errorf("span %q is not under %q", c.span.Name(), c.ancestor.Name())
		}
	}
	for _, s := range inTrace {
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.Emit(), "espresso") {
				t.Errorf("span %q attribute %s holds the status text: %q", s.Name(), a.Key, a.Value.Emit())
			}
		}
	}
}

// checkSearchTrace checks the search request's trace: the query's
// embedding and the vector search under the request, the search span
// carrying k, nprobe (0 on the exact index a small instance has) and the
// candidates scored.
func checkSearchTrace(t *testing.T, ended []sdktrace.ReadOnlySpan, traceID string) {
	t.Helper()
	names := map[string]map[string]int64{}
	for _, s := range ended {
		if s.SpanContext().TraceID().String() != traceID {
			continue
		}
		attrs := map[string]int64{}
		for _, a := range s.Attributes() {
			attrs[string(a.Key)] = a.Value.AsInt64()
		}
		names[s.Name()] = attrs
	}
	if _, ok := names["GET /api/v2/search"]; !ok {
		t.Fatalf("no request span in the search trace: %v", names)
	}
	if _, ok := names["embed"]; !ok {
		t.Errorf("no embed span in the search trace: %v", names)
	}
	vs, ok := names["vecsearch.Search"]
	if !ok {
		t.Fatalf("no vecsearch.Search span in the search trace: %v", names)
	}
	for _, key := range []string{"vecsearch.k", "vecsearch.nprobe", "vecsearch.candidates", "vecsearch.size", "vecsearch.hits"} {
		if _, ok := vs[key]; !ok {
			t.Errorf("vecsearch.Search lacks %s: %v", key, vs)
		}
	}
	if vs["vecsearch.k"] <= 0 || vs["vecsearch.candidates"] != vs["vecsearch.size"] || vs["vecsearch.nprobe"] != 0 {
		t.Errorf("vecsearch.Search attributes %v: want k > 0 and, on the exact index, every vector a candidate", vs)
	}
}
