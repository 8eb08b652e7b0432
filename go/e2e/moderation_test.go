package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestSuspendThroughBinary suspends an account with `starling admin
// suspend` against the real binary: at once its token is refused, its open
// stream closes, and its status leaves its follower's home and the public
// timeline and its profile, and its vector leaves every process's search
// index (the second process's over the bus); the audit log names the action and who took
// it; `starling admin unsuspend` brings everything back. With
// STARLING_TEST_REDIS set, the stream is held on a second process sharing
// the database and Redis, so the closing crosses processes.
func TestSuspendThroughBinary(t *testing.T) {
	dir := t.TempDir()
	a := startServer(t, dir, "--rate-limit", "0")
	streamOn := a
	if redisURL := os.Getenv("STARLING_TEST_REDIS"); redisURL != "" {
		_, channel := testRedis(t)
		a.stop()
		a = startServer(t, dir, "--rate-limit", "0", "--redis", redisURL, "--redis-channel", channel)
		streamOn = startServer(t, dir, "--rate-limit", "0", "--redis", redisURL, "--redis-channel", channel)
	}
	app, appTok := newApp(t, a)
	alice, bob := register(t, a, appTok, "alice"), register(t, a, appTok, "bob")
	signIn := func() response {
		return a.do("POST", "/oauth/token", "", url.Values{"grant_type": {"password"}, "username": {"bob"},
			"password": {"correct horse battery"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"read"}})
	}
	var b account
	a.must(a.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK).decode(t, &b)
	a.must(a.do("POST", "/api/v1/accounts/"+b.ID+"/follow", alice, nil), http.StatusOK)
	var st status
	a.must(a.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"buy cheap watches"}}), http.StatusOK).decode(t, &st)

	visible := func(path, token string) bool {
		t.Helper()
		var sts []status
		a.must(a.do("GET", path, token, nil), http.StatusOK).decode(t, &sts)
		return slices.Contains(ids(sts), st.ID)
	}
	for _, p := range []struct{ path, token string }{{"/api/v1/timelines/home", alice}, {"/api/v1/timelines/public", ""}} {
		if !visible(p.path, p.token) {
			t.Fatalf("before the suspension %s lacks bob's status", p.path)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(streamOn.base, "http") + "/api/v1/streaming?stream=user"
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{bob}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	// A round trip, so the connection is registered before the suspension.
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","stream":"nothing"}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := conn.Read(ctx); err != nil {
		t.Fatal(err)
	}

	// Bob's status is in every process's vector index (streamOn's by
	// catch-up) before the suspension.
	servers := []*server{a}
	if streamOn != a {
		servers = append(servers, streamOn)
	}
	indexHolds := func(want int) {
		t.Helper()
		for _, s := range servers {
			waitFor(t, fmt.Sprintf("%s's index to hold %d vectors", s.base, want), func() bool { return statusVectors(t, s) == want })
		}
	}
	indexHolds(1)

	out, err := a.command("admin", "suspend", b.ID, "--text", "spam wave", "--actor", "mod-ann")
	if err != nil || !strings.Contains(out, "suspended account "+b.ID) {
		t.Fatalf("admin suspend: %v\n%s", err, out)
	}
	// At once, with no wait: the token, the stream, the timelines.
	a.must(a.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusUnauthorized)
	a.must(a.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"more spam"}}), http.StatusUnauthorized)
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != 4001 {
		t.Errorf("bob's stream after the suspension: %v, want close code 4001", err)
	}
	for _, p := range []struct{ path, token string }{{"/api/v1/timelines/home", alice}, {"/api/v1/timelines/public", ""}} {
		if visible(p.path, p.token) {
			t.Errorf("%s still shows the suspended account's status", p.path)
		}
	}
	a.must(a.do("GET", "/api/v1/statuses/"+st.ID, alice, nil), http.StatusNotFound)
	a.must(a.do("GET", "/api/v1/accounts/"+b.ID, alice, nil), http.StatusNotFound)
	// Out of the vector index, in the process that suspended at once and
	// in the other over the bus, not only filtered out of the results.
	if n := statusVectors(t, a); n != 0 {
		t.Errorf("the suspending process's index holds %d vectors, want 0", n)
	}
	indexHolds(0)
	if r := signIn(); r.status == http.StatusOK || !strings.Contains(string(r.body), "Your login is currently disabled") {
		t.Errorf("bob signs in while suspended: %d %s", r.status, r.body)
	}

	out, err = a.command("admin", "accounts", "--suspended")
	if err != nil || !strings.Contains(out, b.ID+"  @bob") || !strings.Contains(out, "suspended") || strings.Contains(out, "@alice") {
		t.Errorf("admin accounts --suspended: %v\n%s", err, out)
	}
	out, err = a.command("admin", "actions")
	if err != nil || !strings.Contains(out, "account.suspend") || !strings.Contains(out, `by "mod-ann"`) ||
		!strings.Contains(out, "account "+b.ID) || !strings.Contains(out, `reason "spam wave"`) {
		t.Errorf("admin actions: %v\n%s", err, out)
	}

	out, err = a.command("admin", "unsuspend", b.ID)
	if err != nil || !strings.Contains(out, "@bob") || !strings.Contains(out, "active") {
		t.Fatalf("admin unsuspend: %v\n%s", err, out)
	}
	a.must(a.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK)
	a.must(signIn(), http.StatusOK)
	indexHolds(1) // put back from the stored vector
	for _, p := range []struct{ path, token string }{{"/api/v1/timelines/home", alice}, {"/api/v1/timelines/public", ""}} {
		if !visible(p.path, p.token) {
			t.Errorf("after the unsuspension %s lacks bob's status", p.path)
		}
	}
}

// TestAdminAccountsCLI drives the account commands' refusals and the
// silence through the real binary.
func TestAdminAccountsCLI(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit", "0")
	_, appTok := newApp(t, s)
	bob := register(t, s, appTok, "bob")
	var b account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK).decode(t, &b)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "suspend", "12x"}, "not an account ID"},
		{[]string{"admin", "suspend"}, "usage"},
		{[]string{"admin", "account", "99999999999999999999"}, "not an account ID"},
		{[]string{"admin", "silence", "123456789"}, "Record not found"},
		{[]string{"admin", "suspend", b.ID, "--report", "x"}, "report_id"},
		{[]string{"admin", "suspend", b.ID, "--text", "a\x01b", "--actor", strings.Repeat("m", 65)}, "Actor"},
		{[]string{"admin", "bogus"}, "unknown admin command"},
	} {
		if out, err := s.command(c.args[0], c.args[1:]...); err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%v: %v\n%s, want an error containing %q", c.args, err, out, c.want)
		}
	}
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK)

	if out, err := s.command("admin", "silence", b.ID); err != nil || !strings.Contains(out, "silenced account "+b.ID) {
		t.Fatalf("admin silence: %v\n%s", err, out)
	}
	out, err := s.command("admin", "account", b.ID)
	if err != nil || !strings.Contains(out, "@bob") || !strings.Contains(out, "silenced") {
		t.Errorf("admin account: %v\n%s", err, out)
	}
	// A silenced account still signs in; its profile says it is limited.
	var profile map[string]any
	s.must(s.do("GET", "/api/v1/accounts/"+b.ID, "", nil), http.StatusOK).decode(t, &profile)
	if profile["limited"] != true {
		t.Errorf("profile of a silenced account: limited = %v, want true", profile["limited"])
	}
	if out, err := s.command("admin", "unsilence", b.ID); err != nil || !strings.Contains(out, "active") {
		t.Errorf("admin unsilence: %v\n%s", err, out)
	}
	out, err = s.command("admin", "accounts", "--username", "bo")
	if err != nil || !strings.Contains(out, "@bob") {
		t.Errorf("admin accounts --username bo: %v\n%s", err, out)
	}
}

// statusVectors is how many vectors s's statuses index holds (GET
// /admin/indexes, what `starling index status` prints).
func statusVectors(t *testing.T, s *server) int {
	t.Helper()
	var list []struct {
		Name    string `json:"name"`
		Vectors int    `json:"vectors"`
	}
	s.must(s.do("GET", s.adminBase+"/admin/indexes", "e2e-admin-token", nil), http.StatusOK).decode(t, &list)
	for _, x := range list {
		if x.Name == "statuses" {
			return x.Vectors
		}
	}
	t.Fatalf("no statuses index in %+v", list)
	return 0
}

// waitFor polls check until it holds (another process learns over the
// bus or its catch-up), failing after 15 seconds.
func waitFor(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
