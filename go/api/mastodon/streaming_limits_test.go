package mastodon

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/starling-social/starling/go/store"
)

// newLimitedStreamEnv is a stream env with limits; fields left zero take
// the defaults.
func newLimitedStreamEnv(t *testing.T, l StreamLimits) *streamEnv {
	t.Helper()
	return newStreamEnv(t, func(o *Options) { o.StreamLimits = l })
}

// wantError reads the next message and checks it is an error event with
// status and a text containing msg.
func (c *wsClient) wantError(status int, msg string) {
	c.t.Helper()
	m := c.next()
	if got, _ := m["status"].(float64); int(got) != status || !strings.Contains(m["error"].(string), msg) {
		c.t.Fatalf("got %v, want an error event %d containing %q", m, status, msg)
	}
}

// wantClosed reads until the server closes the connection and checks the
// close code.
func (c *wsClient) wantClosed(code websocket.StatusCode) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err == nil {
			c.t.Logf("before the close: %s", b)
			continue
		}
		if got := websocket.CloseStatus(err); got != code {
			c.t.Fatalf("connection ended with %v (code %d), want close code %d", err, got, code)
		}
		return
	}
}

func TestStreamingTagNames(t *testing.T) {
	e := newStreamEnv(t)
	bob, _ := e.user("bob", "read write")
	c := e.dial("", "")
	for _, tt := range []struct{ name, tag, want string }{
		{"longer than a status", strings.Repeat("a", 501), "Invalid tag name"},
		{"not a tag as a whole", "not-a-tag", "Invalid tag name"},
		{"NUL byte", "ca\x00ts", "Invalid tag name"},
		{"only a hash", "#", "Invalid tag name"},
		{"empty", "", "No tag for stream provided"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": tt.tag})
			c.wantError(http.StatusBadRequest, tt.want)
		})
	}
	// Invalid UTF-8 (decoded as U+FFFD) is not a tag either.
	if err := c.conn.Write(context.Background(), websocket.MessageText,
		[]byte("{\"type\":\"subscribe\",\"stream\":\"hashtag\",\"tag\":\"ca\xffts\"}")); err != nil {
		t.Fatal(err)
	}
	c.wantError(http.StatusBadRequest, "Invalid tag name")

	// A name as clients send it is normalized: '#', case, spaces.
	c.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": " #CaTs"})
	c.barrier()
	tagged := e.post(bob, "#cats again", store.VisibilityPublic)
	m := c.next()
	if payloadID(t, m) != formatID(tagged.ID) || strings.Join(toStrings(m["stream"]), ",") != "hashtag,cats" {
		t.Fatalf("got %v, want the update on hashtag,cats", m)
	}
}

func TestStreamingReadLimit(t *testing.T) {
	e := newStreamEnv(t)
	c := e.dial("", "")
	huge := `{"type":"subscribe","stream":"hashtag","tag":"` + strings.Repeat("a", maxClientMessage) + `"}`
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(huge)); err != nil {
		t.Fatal(err)
	}
	c.wantClosed(websocket.StatusMessageTooBig)
}

func TestStreamingSubscriptionCap(t *testing.T) {
	e := newLimitedStreamEnv(t, StreamLimits{Subscriptions: 3, SubscribeRate: 1e6})
	bob, _ := e.user("bob", "read write")
	c := e.dial("?stream=hashtag&tag=a", "")
	for _, tag := range []string{"b", "c", "a"} { // "a" again takes no new place
		c.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": tag})
	}
	c.barrier() // no error before the barrier's own
	c.send(map[string]string{"type": "subscribe", "stream": "public"})
	c.wantError(http.StatusTooManyRequests, "Too many subscriptions on this connection (at most 3)")

	// Unsubscribing frees a place.
	c.send(map[string]string{"type": "unsubscribe", "stream": "hashtag", "tag": "a"})
	c.send(map[string]string{"type": "subscribe", "stream": "public"})
	c.barrier()
	st := e.post(bob, "#a first", store.VisibilityPublic)
	if m := c.next(); payloadID(t, m) != formatID(st.ID) || toStrings(m["stream"])[0] != "public" {
		t.Fatalf("got %v, want the update on public only", m)
	}
}

func TestStreamingSubscribeRate(t *testing.T) {
	// A burst of twice Subscriptions messages, then (almost) nothing refills.
	e := newLimitedStreamEnv(t, StreamLimits{Subscriptions: 2, SubscribeRate: 0.001})
	c := e.dial("", "")
	for range 3 {
		c.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": "a"})
	}
	c.barrier() // the fourth message
	c.send(map[string]string{"type": "subscribe", "stream": "public"})
	c.wantError(http.StatusTooManyRequests, "Too many requests")
}

// dialRaw connects without failing the test.
func (e *streamEnv) dialRaw(query, token string, header http.Header) (*wsClient, *http.Response, error) {
	e.t.Helper()
	opts := &websocket.DialOptions{HTTPHeader: header}
	if token != "" {
		opts.Subprotocols = []string{token}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, e.ws+query, opts)
	if err != nil {
		return nil, resp, err
	}
	e.t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: e.t, conn: conn}, resp, nil
}

// wantRefused dials and checks the server refuses with an error event of
// status and the close code.
func (e *streamEnv) wantRefused(token string, header http.Header, status int, code websocket.StatusCode) {
	e.t.Helper()
	c, resp, err := e.dialRaw("?stream=public", token, header)
	if err != nil {
		e.t.Fatalf("dial: %v (%v)", err, resp)
	}
	c.wantError(status, "Too many")
	c.wantClosed(code)
}

// waitAccepted dials until a connection is accepted and stays open for a
// barrier: a cap freed by a closed connection is freed once the server has
// noticed the close, which takes a moment.
func (e *streamEnv) waitAccepted(token string, header http.Header) *wsClient {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, _, err := e.dialRaw("", token, header)
		if err != nil {
			e.t.Fatal(err)
		}
		c.send(map[string]string{"type": "subscribe", "stream": "no-such-stream"})
		if m := c.next(); m["error"] == "Unknown stream type" {
			return c
		}
		c.conn.CloseNow()
	}
	e.t.Fatal("no connection accepted within 10s")
	return nil
}

func TestStreamingConnectionCaps(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		e := newLimitedStreamEnv(t, StreamLimits{ConnectionsPerIP: 2})
		first := e.dial("", "")
		e.dial("", "")
		e.wantRefused("", nil, http.StatusTooManyRequests, websocket.StatusPolicyViolation)
		first.conn.Close(websocket.StatusNormalClosure, "")
		e.waitAccepted("", nil)
	})
	t.Run("per account", func(t *testing.T) {
		e := newLimitedStreamEnv(t, StreamLimits{ConnectionsPerAccount: 2})
		alice, tok := e.user("alice", "read")
		first := e.dial("?stream=user", tok)
		e.dial("", tok)
		// Another token of the same account counts as well; others are free.
		other, err := e.svc.PasswordGrant(context.Background(), e.app, alice.Username, testPassword, "read")
		if err != nil {
			t.Fatal(err)
		}
		e.wantRefused(other.Secret, nil, http.StatusTooManyRequests, websocket.StatusPolicyViolation)
		_, bobTok := e.user("bob", "read")
		e.dial("", bobTok)
		e.dial("", "")
		first.conn.Close(websocket.StatusNormalClosure, "")
		e.waitAccepted(other.Secret, nil)
	})
	t.Run("in total", func(t *testing.T) {
		e := newLimitedStreamEnv(t, StreamLimits{Connections: 2})
		e.dial("", "")
		e.dial("", "")
		e.wantRefused("", nil, http.StatusServiceUnavailable, websocket.StatusTryAgainLater)
	})
	t.Run("by client key", func(t *testing.T) {
		// The router names the client (api.ClientKey: the address a trusted
		// proxy saw, an IPv6 client by its /64; go/e2e checks that wiring);
		// here a header names it.
		e := newStreamEnv(t, func(o *Options) {
			o.StreamLimits = StreamLimits{ConnectionsPerIP: 1}
			o.ClientKey = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
		})
		from := func(key string) http.Header { return http.Header{"X-Test-Client": {key}} }
		if _, resp, err := e.dialRaw("", "", from("2001:db8:1:2::/64")); err != nil {
			t.Fatalf("dial: %v (%v)", err, resp)
		}
		e.wantRefused("", from("2001:db8:1:2::/64"), http.StatusTooManyRequests, websocket.StatusPolicyViolation)
		e.waitAccepted("", from("2001:db8:1:3::/64"))
	})
}
