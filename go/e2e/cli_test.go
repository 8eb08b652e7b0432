package e2e

import (
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/snowflake"
)

// TestCLIUserCreate creates an account from the command line on a fresh
// data dir (the command migrates first), then logs in as it over HTTP.
func TestCLIUserCreate(t *testing.T) {
	bin, _ := binaries(t)
	dir := t.TempDir()
	create := func(name string) (string, error) {
		out, err := exec.Command(bin, "user", "create", "--data-dir", dir, "--username", name, "--password", "correct horse battery").CombinedOutput()
		return string(out), err
	}
	out, err := create("carol")
	if err != nil || !strings.Contains(out, "created account carol") {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	out, err = create("CAROL")
	if err == nil || !strings.Contains(out, "already been taken") {
		t.Fatalf("duplicate user create should fail clearly: %v\n%s", err, out)
	}
	out, err = create("not valid!")
	if err == nil || !strings.Contains(out, "Username must contain only") {
		t.Fatalf("invalid username should fail clearly: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "migrate", "--data-dir", dir).CombinedOutput(); err != nil || !strings.Contains(string(out), "migrations applied") {
		t.Fatalf("migrate on a migrated dir: %v\n%s", err, out)
	}

	s := startServer(t, dir)
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	s.must(s.do("POST", "/api/v1/apps", "", url.Values{"client_name": {"cli"}, "scopes": {"read"}}), http.StatusOK).decode(t, &app)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.must(s.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"username": {"carol"}, "password": {"correct horse battery"},
	}), http.StatusOK).decode(t, &tok)
	var me account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", tok.AccessToken, nil), http.StatusOK).decode(t, &me)
	if me.Username != "carol" {
		t.Fatalf("logged in as %+v", me)
	}

	// Beside the running server (which took ID node 0, its lock file
	// free again once carol's command exited), user create takes node 1:
	// its IDs can never be the server's.
	if out, err := create("dave"); err != nil {
		t.Fatalf("user create beside the server: %v\n%s", err, out)
	}
	var dave account
	s.must(s.do("GET", "/api/v1/accounts/lookup?acct=dave", "", nil), http.StatusOK).decode(t, &dave)
	id, err := strconv.ParseInt(dave.ID, 10, 64)
	if err != nil || snowflake.Node(id) != 1 {
		t.Fatalf("dave's ID %s (node %d), %v; want node 1", dave.ID, snowflake.Node(id), err)
	}
}

// TestBadFlagsFailClearly: configuration errors stop the server at start
// with a message naming the flag, and a non-zero exit.
func TestBadFlagsFailClearly(t *testing.T) {
	bin, _ := binaries(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--log-format", "xml"}, "--log-format"},
		{[]string{"serve", "--max-chars", "0"}, "--max-chars"},
		{[]string{"serve", "--stream-max-connections-per-ip", "0"}, "--stream-max-connections-per-ip"},
		{[]string{"serve", "--stream-subscribe-rate", "-1"}, "--stream-subscribe-rate"},
		{[]string{"serve", "--data-dir", t.TempDir(), "--plugins", "/nonexistent/manifest.json", "--addr", "127.0.0.1:0", "--admin-addr", ""}, "--plugins"},
		{[]string{"serve", "--data-dir", t.TempDir(), "--sqlite-sync", "off", "--addr", "127.0.0.1:0", "--admin-addr", ""}, "--sqlite-sync"},
		{[]string{"migrate", "--data-dir", t.TempDir(), "--sqlite-sync", "extra"}, "--sqlite-sync"},
		{[]string{"serve", "--request-timeout", "-1s"}, "--request-timeout"},
		{[]string{"serve", "--status-cache-bytes", "-1"}, "--status-cache-bytes"},
		{[]string{"serve", "--status-cache-bytes", "99999999999999999999"}, "--status-cache-bytes"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("starling %v: err=%v, output lacks %q:\n%s", c.args, err, c.want, out)
		}
	}
}
