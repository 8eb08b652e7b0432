package e2e

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpSpan is one span as a collector received it.
type otlpSpan struct {
	service, name             string
	traceID, spanID, parentID string
}

// otlpReceiver is a minimal OTLP/HTTP trace collector: it decodes every
// export and keeps the spans, signalling each arrival on more.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []otlpSpan
	more  chan struct{}
}

func (rc *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if err != nil || r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	for _, rs := range req.ResourceSpans {
		service := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				service = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				rc.spans = append(rc.spans, otlpSpan{service: service, name: s.Name, traceID: hex.EncodeToString(s.TraceId),
					spanID: hex.EncodeToString(s.SpanId), parentID: hex.EncodeToString(s.ParentSpanId)})
			}
		}
	}
	rc.mu.Unlock()
	select {
	case rc.more <- struct{}{}:
	default:
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

// find returns the first span satisfying ok.
func (rc *otlpReceiver) find(ok func(otlpSpan) bool) (otlpSpan, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.spans {
		if ok(s) {
			return s, true
		}
	}
	return otlpSpan{}, false
}

// TestTracingOTLP runs the real binary with --otlp-endpoint pointing at a
// collector in the test and posts a status: the server exports the request
// span, and the wordfilter plugin process exports its own span of the hook
// call into the same trace, as the child of the host's gRPC call.
func TestTracingOTLP(t *testing.T) {
	rc := &otlpReceiver{more: make(chan struct{}, 1)}
	collector := httptest.NewServer(rc)
	defer collector.Close()

	s := startServer(t, t.TempDir(), "--otlp-endpoint", collector.URL, "--trace-sample-ratio", "1")
	_, appTok := newApp(t, s)
	token := register(t, s, appTok, "traced")
	s.must(s.do("POST", "/api/v1/statuses", token, url.Values{"status": {"a status seen by a plugin"}}), http.StatusOK)
	// Stopping flushes the server's spans, and the plugins', as they stop.
	s.stop()

	deadline := time.After(30 * time.Second)
	for {
		post, okPost := rc.find(func(sp otlpSpan) bool { return sp.service == "starling" && sp.name == "POST /api/v1/statuses" })
		var inPlugin otlpSpan
		okCall, okPlugin := false, false
		if okPost {
			_, okCall = rc.find(func(sp otlpSpan) bool {
				return sp.service == "starling" && sp.traceID == post.traceID && sp.name == "starling.policy.v1.Policy/CheckStatus"
			})
		}
		if okCall {
			inPlugin, okPlugin = rc.find(func(sp otlpSpan) bool {
				return sp.service == "starling-plugin-wordfilter" && sp.traceID == post.traceID
			})
		}
		if okPlugin {
			if inPlugin.parentID == "" || inPlugin.name != "starling.policy.v1.Policy/CheckStatus" {
				t.Errorf("plugin span %+v: want the server side of the host's call", inPlugin)
			}
			if _, ok := rc.find(func(sp otlpSpan) bool {
				return sp.spanID == inPlugin.parentID && sp.service == "starling" && sp.name == inPlugin.name
			}); !ok {
				t.Errorf("plugin span's parent %s is not the server's client span of the call", inPlugin.parentID)
			}
			// The JSON access log line of the request carries its trace id.
			if !logHasTrace(s.logs.String(), "/api/v1/statuses", post.traceID) {
				t.Errorf("no access log line for POST /api/v1/statuses with trace_id %s in:\n%s", post.traceID, s.logs)
			}
			return
		}
		select {
		case <-rc.more:
		case <-deadline:
			rc.mu.Lock()
			defer rc.mu.Unlock()
			t.Fatalf("no complete trace within 30s (request span %v, plugin call %v, plugin span %v); received %+v", okPost, okCall, okPlugin, rc.spans)
		}
	}
}

// logHasTrace reports whether a JSON log line for a request to path
// carries trace_id.
func logHasTrace(logs, path, traceID string) bool {
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["trace_id"] == traceID && strings.Contains(line, path) {
			return true
		}
	}
	return false
}
