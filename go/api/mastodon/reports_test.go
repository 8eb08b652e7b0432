package mastodon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestReports(t *testing.T) {
	e := newTestEnvWithRules(t, []social.Rule{{ID: 1, Text: "Be kind"}, {ID: 2, Text: "No spam", Hint: "ads"}})
	_, aliceTok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read write")
	carol, _ := e.user("carol", "read write")
	b1 := e.post(bob, "buy now", store.VisibilityPublic)
	b2 := e.post(bob, "buy more", store.VisibilityPublic)
	hidden := e.post(bob, "only followers", store.VisibilityPrivate)
	c1 := e.post(carol, "carol's", store.VisibilityPublic)
	report := func(form url.Values) *httptest.ResponseRecorder {
		return e.postForm("/api/v1/reports", aliceTok, form)
	}

	rec := report(url.Values{"account_id": {formatID(bob.ID)}, "status_ids[]": {formatID(b2.ID), formatID(b1.ID)},
		"comment": {"spam, ünïcode"}, "category": {"spam"}})
	wantStatus(t, rec, http.StatusOK)
	body := decodeObject(t, rec)
	wantShape(t, "Report", body, map[string]string{"id": "string", "action_taken": "boolean", "category": "string",
		"comment": "string", "forwarded": "boolean", "created_at": "string", "status_ids": "array", "rule_ids": "array",
		"target_account": "object"})
	if body["category"] != "spam" || body["action_taken"] != false || body["action_taken_at"] != nil ||
		body["target_account"].(map[string]any)["id"] != formatID(bob.ID) {
		t.Errorf("report = %v", body)
	}
	if ids := body["status_ids"].([]any); len(ids) != 2 || ids[0] != formatID(b1.ID) || ids[1] != formatID(b2.ID) {
		t.Errorf("status_ids = %v, want both, ascending", ids)
	}
	// rule_ids make it a violation.
	rec = report(url.Values{"account_id": {formatID(bob.ID)}, "rule_ids[]": {"2"}, "category": {"other"}})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec); got["category"] != "violation" || !slices.Equal(toStrings(got["rule_ids"]), []string{"2"}) {
		t.Errorf("report with a rule = %v", got)
	}
	// No category: other.
	rec = report(url.Values{"account_id": {formatID(carol.ID)}})
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["category"]; got != "other" {
		t.Errorf("default category = %v", got)
	}

	for _, c := range []struct {
		name string
		form url.Values
		code int
	}{
		{"forward", url.Values{"account_id": {formatID(bob.ID)}, "forward": {"true"}}, http.StatusUnprocessableEntity},
		{"no account", url.Values{"comment": {"x"}}, http.StatusUnprocessableEntity},
		{"unknown account", url.Values{"account_id": {"424242"}}, http.StatusNotFound},
		{"malformed account", url.Values{"account_id": {"bob"}}, http.StatusBadRequest},
		{"someone else's status", url.Values{"account_id": {formatID(bob.ID)}, "status_ids[]": {formatID(c1.ID)}}, http.StatusNotFound},
		{"a status alice cannot see", url.Values{"account_id": {formatID(bob.ID)}, "status_ids[]": {formatID(hidden.ID)}}, http.StatusNotFound},
		{"a missing status", url.Values{"account_id": {formatID(bob.ID)}, "status_ids[]": {"424242"}}, http.StatusNotFound},
		{"violation without rules", url.Values{"account_id": {formatID(bob.ID)}, "category": {"violation"}}, http.StatusUnprocessableEntity},
		{"unknown rule", url.Values{"account_id": {formatID(bob.ID)}, "rule_ids[]": {"3"}}, http.StatusUnprocessableEntity},
		{"unknown category", url.Values{"account_id": {formatID(bob.ID)}, "category": {"boring"}}, http.StatusUnprocessableEntity},
		{"comment over 1000", url.Values{"account_id": {formatID(bob.ID)}, "comment": {strings.Repeat("x", 1001)}}, http.StatusUnprocessableEntity},
	} {
		t.Run(c.name, func(t *testing.T) { wantError(t, report(c.form), c.code) })
	}

	// Ten an hour: the moderators' queue is what a flood would fill.
	for i := 3; i < 10; i++ {
		wantStatus(t, report(url.Values{"account_id": {formatID(carol.ID)}}), http.StatusOK)
	}
	wantError(t, report(url.Values{"account_id": {formatID(carol.ID)}}), http.StatusTooManyRequests)

	rs, err := e.svc.Reports(t.Context(), store.Page{Limit: 40})
	if err != nil || len(rs) != 10 {
		t.Fatalf("stored reports = %d, %v; want 10", len(rs), err)
	}
}
