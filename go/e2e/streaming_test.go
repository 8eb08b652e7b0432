package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// testRedis returns the real Redis of STARLING_TEST_REDIS, or skips, and a
// key namespace of the test's own: other tests share this Redis.
func testRedis(t *testing.T) (url, namespace string) {
	t.Helper()
	url = os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return url, "starling:e2e:" + hex.EncodeToString(b)
}

// TestStreamingAcrossProcesses runs two real server processes over one
// database and the real Redis: a client connected to the first receives
// the status posted through the second.
func TestStreamingAcrossProcesses(t *testing.T) {
	redisURL, channel := testRedis(t)
	dir := t.TempDir()
	a := startServer(t, dir, "--redis", redisURL, "--redis-channel", channel)
	bsrv := startServer(t, dir, "--redis", redisURL, "--redis-channel", channel)

	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	a.must(a.do("POST", "/api/v1/apps", "", url.Values{"client_name": {"e2e"}, "scopes": {"read write follow"}}), http.StatusOK).decode(t, &app)
	var appTok struct {
		AccessToken string `json:"access_token"`
	}
	a.must(a.do("POST", "/oauth/token", "", url.Values{"grant_type": {"client_credentials"},
		"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"read write follow"}}), http.StatusOK).decode(t, &appTok)
	reader := register(t, a, appTok.AccessToken, "reader")
	writer := register(t, a, appTok.AccessToken, "writer")
	var w account
	a.must(a.do("GET", "/api/v1/accounts/verify_credentials", writer, nil), http.StatusOK).decode(t, &w)
	a.must(a.do("POST", "/api/v1/accounts/"+w.ID+"/follow", reader, nil), http.StatusOK)

	// The reader listens on process A (token as the subprotocol, as browsers send it).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(a.base, "http") + "/api/v1/streaming?stream=user"
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{reader}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()

	// The writer posts through process B.
	var posted status
	bsrv.must(bsrv.do("POST", "/api/v1/statuses", writer, url.Values{"status": {"hello from process B"}}), http.StatusOK).decode(t, &posted)

	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("no event on process A: %v\nA log:\n%s\nB log:\n%s", err, a.logs, bsrv.logs)
	}
	var ev struct {
		Stream  []string `json:"stream"`
		Event   string   `json:"event"`
		Payload string   `json:"payload"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	var got status
	if err := json.Unmarshal([]byte(ev.Payload), &got); err != nil {
		t.Fatalf("payload %q: %v", ev.Payload, err)
	}
	if ev.Event != "update" || got.ID != posted.ID || !strings.Contains(got.Content, "hello from process B") {
		t.Fatalf("event %s %v, status %+v; want update of %s", ev.Event, ev.Stream, got, posted.ID)
	}
}

// TestStreamingConnectionCapPerAddress runs the real binary behind a
// trusted proxy: the per-address cap counts the client address the proxy
// names, an IPv6 client by its /64, and a client over the cap gets an
// error event and close code 1008.
func TestStreamingConnectionCapPerAddress(t *testing.T) {
	s := startServer(t, t.TempDir(), "--trusted-proxies", "127.0.0.1/32", "--stream-max-connections-per-ip", "1")
	wsURL := "ws" + strings.TrimPrefix(s.base, "http") + "/api/v1/streaming"
	dial := func(client string) (*websocket.Conn, context.Context) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		t.Cleanup(cancel)
		conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
			HTTPHeader: http.Header{"X-Forwarded-For": {client}}})
		if err != nil {
			t.Fatalf("dial as %s: %v (%v)", client, err, resp)
		}
		t.Cleanup(func() { conn.CloseNow() })
		return conn, ctx
	}
	// accepted checks the server answers a message on the connection.
	accepted := func(client string) {
		t.Helper()
		conn, ctx := dial(client)
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","stream":"nothing"}`)); err != nil {
			t.Fatal(err)
		}
		_, b, err := conn.Read(ctx)
		if err != nil || !strings.Contains(string(b), "Unknown stream type") {
			t.Fatalf("as %s: %s, %v; want the answer of an open connection", client, b, err)
		}
	}
	accepted("2001:db8:1:2::1")
	conn, ctx := dial("2001:db8:1:2:ffff::9") // the same /64
	_, b, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(b), `"status":429`) {
		t.Fatalf("over the cap: %s, %v; want an error event with status 429", b, err)
	}
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("over the cap: %v; want close code 1008", err)
	}
	accepted("2001:db8:1:3::1") // another /64
}
