package mastodon

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/presence"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
	"github.com/starling-social/starling/go/streaming"
)

// streamEnv is a real server (httptest) whose domain publishes to a local
// bus that the streaming endpoint reads.
type streamEnv struct {
	*testEnv
	srv *httptest.Server
	ws  string // ws:// URL of /api/v1/streaming
}

func newStreamEnv(t *testing.T, configure ...func(*Options)) *streamEnv {
	t.Helper()
	return newStreamEnvOn(t, openSQLite(t), configure...)
}

// openSQLite opens a fresh, migrated SQLite store.
// openSQLite opens a fresh SQLite store behind the read cache, as serve
// runs it by default: every HTTP test then checks that the cache never
// answers from before a write, and (NewChecked) that no handler changes
// a row the cache shares.
func openSQLite(t *testing.T) store.Store {
	t.Helper()
	return readcache.NewChecked(sqlitetest.NewStore(t), 0)
}

// newStreamEnvOn is newStreamEnv over a given, migrated store (the
// visibility matrix runs on both backends). configure may change the
// handler's options, its bus included (the domain publishes to the same).
func newStreamEnvOn(t *testing.T, st store.Store, configure ...func(*Options)) *streamEnv {
	t.Helper()
	return newStreamEnvDeps(t, st, testStrategy(t), nil, configure...)
}

// newStreamEnvDeps is newStreamEnvOn with the home strategy named and the
// service's collaborators and configuration changed by deps (a vector
// searcher, say) before the service is built.
func newStreamEnvDeps(t *testing.T, st store.Store, strategy string, deps func(*social.Deps, *social.Config), configure ...func(*Options)) *streamEnv {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	bus := streaming.NewLocal(quiet)
	t.Cleanup(func() { bus.Close() })
	opts := Options{BaseURL: testBaseURL, Version: "test", Logger: quiet, Bus: bus}
	for _, f := range configure {
		f(&opts)
	}
	d := social.Deps{Store: st, IDs: snowflaketest.New(), Home: newTestHome(t, st, strategy), Logger: quiet,
		Publisher: &Publisher{Bus: opts.Bus, Log: quiet}, Presence: presence.NewTracker(presence.NewMemory(), 0)}
	cfg := social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost}
	if deps != nil {
		deps(&d, &cfg)
	}
	svc := social.New(d, cfg)
	h := New(svc, opts)
	r := chi.NewRouter()
	h.Routes(r)
	app, err := svc.CreateApp(ctx, social.AppInput{Name: "test app", Scopes: "read write follow"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &streamEnv{
		testEnv: &testEnv{t: t, st: st, svc: svc, h: h, router: r, app: app},
		srv:     srv, ws: "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/v1/streaming",
	}
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// dial connects; token travels as the subprotocol, as browsers send it.
func (e *streamEnv) dial(query, token string) *wsClient {
	e.t.Helper()
	c, resp, err := e.dialRaw(query, token, nil)
	if err != nil {
		e.t.Fatalf("dial %s: %v (%v)", query, err, resp)
	}
	if token != "" && c.conn.Subprotocol() != token {
		e.t.Fatalf("subprotocol %q not echoed (got %q)", token, c.conn.Subprotocol())
	}
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// next reads one message; the bound only keeps a broken server from
// hanging the suite.
func (c *wsClient) next() map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

// barrier sends a message the server answers with an error: once the
// answer arrives, every earlier message has been handled (one reader).
func (c *wsClient) barrier() {
	c.t.Helper()
	c.send(map[string]string{"type": "subscribe", "stream": "no-such-stream"})
	if m := c.next(); m["error"] != "Unknown stream type" {
		c.t.Fatalf("barrier answer %v", m)
	}
}

func payloadID(t *testing.T, m map[string]any) string {
	t.Helper()
	var entity struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(m["payload"].(string)), &entity); err != nil {
		t.Fatalf("payload of %v: %v", m, err)
	}
	return entity.ID
}

func TestStreamingUserStream(t *testing.T) {
	e := newStreamEnv(t)
	ctx := context.Background()
	alice, aliceTok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read write follow")
	mallory, _ := e.user("mallory", "read write follow")
	for _, target := range []int64{bob.ID, mallory.ID} {
		if _, err := e.svc.Follow(ctx, alice, target, social.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.dial("?stream=user", aliceTok)

	// Alice blocks mallory after following her: mallory's post must not
	// reach alice's stream; bob's next post must, and must come first.
	if _, err := e.svc.Block(ctx, alice, mallory.ID); err != nil {
		t.Fatal(err)
	}
	e.post(mallory, "you should not see this", store.VisibilityPublic)
	want := e.post(bob, "hello stream", store.VisibilityPublic)
	m := c.next()
	if m["event"] != "update" || payloadID(t, m) != strconv.FormatInt(want.ID, 10) {
		t.Fatalf("first event %v, want bob's update %d", m, want.ID)
	}
	if s, _ := m["stream"].([]any); len(s) != 1 || s[0] != "user" {
		t.Fatalf("stream field %v", m["stream"])
	}

	// A favourite of alice's post arrives as a notification on her stream.
	own := e.post(alice, "mine", store.VisibilityPublic)
	if m := c.next(); m["event"] != "update" || payloadID(t, m) != strconv.FormatInt(own.ID, 10) {
		t.Fatalf("own post event %v", m)
	}
	if _, err := e.svc.Favourite(ctx, bob, own.ID); err != nil {
		t.Fatal(err)
	}
	m = c.next()
	if m["event"] != "notification" {
		t.Fatalf("want a notification, got %v", m)
	}
	var n struct {
		Type    string `json:"type"`
		Account struct {
			ID string `json:"id"`
		} `json:"account"`
	}
	_ = json.Unmarshal([]byte(m["payload"].(string)), &n)
	if n.Type != "favourite" || n.Account.ID != strconv.FormatInt(bob.ID, 10) {
		t.Fatalf("notification payload %+v", n)
	}
}

func TestStreamingHashtagSubscribeUnsubscribe(t *testing.T) {
	e := newStreamEnv(t)
	bob, _ := e.user("bob", "read write")
	c := e.dial("", "") // anonymous: public streams only
	c.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": "Cats"})
	c.send(map[string]string{"type": "subscribe", "stream": "public"})
	c.barrier()

	tagged := e.post(bob, "look at my #cats", store.VisibilityPublic)
	got := map[string]bool{}
	for range 2 { // one event per matching stream
		m := c.next()
		if payloadID(t, m) != strconv.FormatInt(tagged.ID, 10) {
			t.Fatalf("event %v", m)
		}
		got[strings.Join(toStrings(m["stream"]), ",")] = true
	}
	if !got["hashtag,cats"] || !got["public"] {
		t.Fatalf("streams %v, want hashtag,cats and public", got)
	}

	// Unlisted never reaches public streams; after unsubscribing from the
	// hashtag only the public event of the next tagged post arrives.
	e.post(bob, "quiet #cats", store.VisibilityUnlisted)
	c.send(map[string]string{"type": "unsubscribe", "stream": "hashtag", "tag": "cats"})
	c.barrier()
	next := e.post(bob, "more #cats", store.VisibilityPublic)
	m := c.next()
	if payloadID(t, m) != strconv.FormatInt(next.ID, 10) || toStrings(m["stream"])[0] != "public" {
		t.Fatalf("after unsubscribe got %v", m)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestStreamingRejectsBadRequests(t *testing.T) {
	e := newStreamEnv(t)
	_, readOnly := e.user("carol", "read:accounts")
	for _, tt := range []struct {
		name, query, token string
		status             int
	}{
		{"bad token", "?stream=user", "not-a-token", http.StatusUnauthorized},
		{"user stream without a token", "?stream=user", "", http.StatusUnauthorized},
		{"user stream without the scope", "?stream=user", readOnly, http.StatusForbidden},
		{"unknown stream", "?stream=everything", "", http.StatusBadRequest},
		{"hashtag without tag", "?stream=hashtag", "", http.StatusBadRequest},
		{"someone else's list", "?stream=list&list=42", readOnly, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := &websocket.DialOptions{}
			if tt.token != "" {
				opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + tt.token}}
			}
			_, resp, err := websocket.Dial(context.Background(), e.ws+tt.query, opts)
			if err == nil || resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("dial: err %v, response %v, want status %d", err, resp, tt.status)
			}
		})
	}
	rec := e.get("/api/v1/streaming/health", "")
	if rec.Code != http.StatusOK || rec.Body.String() != "OK" {
		t.Fatalf("health: %d %q", rec.Code, rec.Body.String())
	}
}
