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

// TestStreamingAcrossProcesses runs two real server processes over one
// database and the real Redis: a client connected to the first receives
// the status posted through the second.
func TestStreamingAcrossProcesses(t *testing.T) {
	redisURL := os.Getenv("STARLING_TEST_REDIS")
	if redisURL == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	channel := "starling:e2e:" + hex.EncodeToString(b) // other tests share this Redis
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
