package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestFeedStrategySwitch switches the running server's home strategy with
// the CLI (admin API) through pull, push and hybrid while posting: every
// home keeps every status, and a bad strategy is refused with the old one
// still serving.
func TestFeedStrategySwitch(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit", "0")
	_, appTok := newApp(t, s)
	alice, bob := register(t, s, appTok, "alice"), register(t, s, appTok, "bob")
	var bobAcct account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK).decode(t, &bobAcct)
	s.must(s.do("POST", "/api/v1/accounts/"+bobAcct.ID+"/follow", alice, nil), http.StatusOK)

	out, err := s.command("feed", "show")
	if err != nil || !strings.Contains(out, "strategy hybrid") {
		t.Fatalf("feed show: %v\n%s", err, out)
	}
	var posted []string
	for i, strategy := range []string{"push", "pull", "hybrid", "push"} {
		var st status
		s.must(s.do("POST", "/api/v1/statuses", bob, map[string][]string{"status": {fmt.Sprintf("before %s", strategy)}}), http.StatusOK).decode(t, &st)
		posted = append([]string{st.ID}, posted...)
		homeIDs(t, s, alice) // the cache (if any) is built before the switch
		out, err := s.command("feed", "strategy", strategy, "--celebrity-threshold", fmt.Sprint(100+i), "--actor", "ops-lee")
		if err != nil || !strings.Contains(out, "strategy "+strategy) {
			t.Fatalf("feed strategy %s: %v\n%s", strategy, err, out)
		}
		if got := homeIDs(t, s, alice); !slices.Equal(got, posted) {
			t.Fatalf("after switching to %s: home %v, want %v", strategy, got, posted)
		}
	}
	// The audit log names who switched (the CLI's --actor).
	var actions []struct {
		Action string `json:"action"`
		Actor  string `json:"actor"`
	}
	s.must(s.raw("GET", s.adminBase+"/admin/actions", "e2e-admin-token", "", nil, nil), http.StatusOK).decode(t, &actions)
	if len(actions) == 0 || actions[0].Actor != "ops-lee" {
		t.Fatalf("the newest audit entry after the CLI switches: %+v, want actor ops-lee", actions)
	}
	out, err = s.command("feed", "strategy", "gossip")
	if err == nil || !strings.Contains(out, "want pull, push or hybrid") {
		t.Fatalf("feed strategy gossip: %v\n%s", err, out)
	}
	var f struct {
		Strategy           string `json:"strategy"`
		CelebrityThreshold int    `json:"celebrity_threshold"`
	}
	s.must(s.raw("GET", s.adminBase+"/admin/feed", "e2e-admin-token", "", nil, nil), http.StatusOK).decode(t, &f)
	if f.Strategy != "push" || f.CelebrityThreshold != 103 {
		t.Fatalf("after a refused switch: %+v, want push, threshold 103", f)
	}
	r := s.raw("POST", s.adminBase+"/admin/feed/strategy/push?celebrity_threshold=99999999999999", "e2e-admin-token", "", nil, nil)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("huge threshold: %d %s", r.status, r.body)
	}
	metrics := string(s.must(s.raw("GET", s.adminBase+"/metrics", "e2e-admin-token", "", nil, nil), http.StatusOK).body)
	for _, m := range []string{"starling_timeline_cache_entries", "starling_outbox_pending"} {
		if !strings.Contains(metrics, m+" ") {
			t.Errorf("metrics lack %s", m)
		}
	}
}
