package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAdminDeleteStatusCLI deletes a status with `starling admin
// delete-status` against the real binary: it is gone for its readers, and
// `starling admin actions` shows the entry with its reason; a bad ID is
// refused before any request.
func TestAdminDeleteStatusCLI(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit", "0")
	_, appTok := newApp(t, s)
	bob := register(t, s, appTok, "bob")
	var st status
	s.must(s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"cheap watches here"}}), http.StatusOK).decode(t, &st)

	out, err := s.command("admin", "delete-status", st.ID, "--reason", "spam, report 7")
	if err != nil || !strings.Contains(out, "deleted status "+st.ID) {
		t.Fatalf("admin delete-status: %v\n%s", err, out)
	}
	s.must(s.do("GET", "/api/v1/statuses/"+st.ID, bob, nil), http.StatusNotFound)
	out, err = s.command("admin", "actions")
	if err != nil || !strings.Contains(out, "status.delete") || !strings.Contains(out, "status "+st.ID) ||
		!strings.Contains(out, `reason "spam, report 7"`) {
		t.Fatalf("admin actions: %v\n%s", err, out)
	}
	if out, err := s.command("admin", "delete-status", st.ID); err == nil || !strings.Contains(out, "Record not found") {
		t.Errorf("deleting it again: %v\n%s", err, out)
	}
	if out, err := s.command("admin", "delete-status", "12x"); err == nil || !strings.Contains(out, "not a status ID") {
		t.Errorf("a bad ID: %v\n%s", err, out)
	}
}

// TestAdminQueueCLI walks the moderation queue with the real binary: a
// user's report shows in `starling admin reports` and is resolved with
// `starling admin resolve-report`; a status the spamguard plugin flagged
// shows in `starling admin flagged`. Bad IDs are refused before any request.
func TestAdminQueueCLI(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit", "0")
	_, appTok := newApp(t, s)
	alice, bob := register(t, s, appTok, "alice"), register(t, s, appTok, "bob")
	var st status
	s.must(s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"cheap watches here"}}), http.StatusOK).decode(t, &st)
	var bobAcct struct{ ID string }
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK).decode(t, &bobAcct)
	var report struct{ ID string }
	s.must(s.do("POST", "/api/v1/reports", alice, url.Values{"account_id": {bobAcct.ID}, "status_ids[]": {st.ID},
		"comment": {"watches again"}, "category": {"spam"}}), http.StatusOK).decode(t, &report)

	out, err := s.command("admin", "reports")
	if err != nil || !strings.Contains(out, report.ID) || !strings.Contains(out, "open") ||
		!strings.Contains(out, "reported "+bobAcct.ID) || !strings.Contains(out, "statuses "+st.ID) || !strings.Contains(out, `comment "watches again"`) {
		t.Fatalf("admin reports: %v\n%s", err, out)
	}
	out, err = s.command("admin", "resolve-report", report.ID)
	if err != nil || !strings.Contains(out, report.ID) || !strings.Contains(out, "resolved ") {
		t.Fatalf("admin resolve-report: %v\n%s", err, out)
	}
	if out, err := s.command("admin", "reports"); err != nil || !strings.Contains(out, "resolved ") || strings.Contains(out, " open ") {
		t.Errorf("admin reports after resolving: %v\n%s", err, out)
	}

	// A new account posting three links: stored, and flagged by spamguard.
	var flagged status
	s.must(s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"https://a.example https://b.example https://c.example"}}),
		http.StatusOK).decode(t, &flagged)
	out, err = s.command("admin", "flagged")
	if err != nil || !strings.Contains(out, "status "+flagged.ID) || !strings.Contains(out, "by spamguard") {
		t.Fatalf("admin flagged: %v\n%s", err, out)
	}

	for _, bad := range []string{"0", "12x", "-5"} {
		if out, err := s.command("admin", "resolve-report", bad); err == nil || !strings.Contains(out, "report ID") && !strings.Contains(out, "usage") {
			t.Errorf("resolve-report %s: %v\n%s", bad, err, out)
		}
	}
	if out, err := s.command("admin", "resolve-report", "99999999"); err == nil || !strings.Contains(out, "not found") {
		t.Errorf("resolving a report that does not exist: %v\n%s", err, out)
	}
}
