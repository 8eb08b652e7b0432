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
