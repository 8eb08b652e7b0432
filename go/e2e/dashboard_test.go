package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardMetricsExist reads the Grafana dashboard shipped in
// docs/grafana and checks that every metric its queries name is exported
// at the admin /metrics of a real server, on SQLite and on PostgreSQL
// (each store has its own pool metrics), after a little traffic.
func TestDashboardMetricsExist(t *testing.T) {
	if os.Getenv("STARLING_TEST_PG") == "" {
		t.Skip("STARLING_TEST_PG not set: the dashboard's PostgreSQL panel needs it")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "grafana", "starling.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	exported := map[string]bool{}
	for _, extra := range [][]string{nil, {"--db", freshPostgresSchema(t)}} {
		s := startServer(t, t.TempDir(), extra...)
		_, appTok := newApp(t, s)
		tok := register(t, s, appTok, "dash")
		s.must(s.do("POST", "/api/v1/statuses", tok, url.Values{"status": {"hello metrics"}}), http.StatusOK)
		s.must(s.do("POST", "/api/v1/statuses", tok, url.Values{"status": {"buy via scamlink"}}), http.StatusUnprocessableEntity)
		for name := range scrapeNames(t, s) {
			exported[name] = true
		}
		s.stop()
	}
	// A metric name in PromQL: identifier characters not followed by "("
	// (a function) and not inside a label matcher or a legend.
	ident := regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	notMetric := map[string]bool{"sum": true, "by": true, "rate": true, "increase": true, "histogram_quantile": true,
		"le": true, "route": true, "code": true, "plugin": true, "hook": true, "verdict": true, "state": true,
		"db_name": true, "__rate_interval": true, "result": true, "reason": true, "version": true}
	checked := 0
	queried := map[string]bool{}
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			expr := regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`).ReplaceAllString(target.Expr, "")
			for _, name := range ident.FindAllString(expr, -1) {
				if notMetric[name] {
					continue
				}
				checked++
				queried[name] = true
				if !exported[name] {
					t.Errorf("panel %q queries %s, which /metrics does not export", p.Title, name)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d metric names found in the dashboard: the parser is wrong", checked)
	}
	// Every part the operations issue names has a panel: HTTP by route and
	// code, both SQL pools, outbox lag, fan-out throughput, the timeline
	// cache hit rate, the index's size, training and recall check, the
	// embedder's latency and errors, plugin calls, errors (verdict "error")
	// and latency per plugin and version, streaming connections.
	for _, name := range []string{"starling_http_requests_total", "starling_http_request_duration_seconds_bucket",
		"go_sql_in_use_connections", "starling_pg_pool_connections", "starling_outbox_pending", "starling_outbox_oldest_age_seconds",
		"starling_feed_fanout_statuses_total", "starling_timeline_reads_total", "starling_index_vectors",
		"starling_index_trained_vectors", "starling_index_builds_total", "starling_index_recall",
		"starling_embedder_request_duration_seconds_bucket", "starling_embedder_errors_total",
		"starling_policy_decisions_total", "starling_policy_call_duration_seconds_bucket", "starling_streaming_connections"} {
		if !queried[name] {
			t.Errorf("the dashboard has no panel querying %s", name)
		}
	}
}

// scrapeNames returns the sample names of the admin /metrics exposition.
func scrapeNames(t *testing.T, s *server) map[string]bool {
	t.Helper()
	req, err := http.NewRequest("GET", s.adminBase+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer e2e-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}
