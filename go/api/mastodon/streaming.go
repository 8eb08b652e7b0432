package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/streaming"
)

// streamingRoutes: the streaming API (under /api/v1).
func (h *Handler) streamingRoutes(r chi.Router) {
	r.Get("/streaming/health", streamingHealth) // GET /api/v1/streaming/health
	r.Get("/streaming", h.streaming)            // GET /api/v1/streaming (WebSocket)
}

// streamingPath is the WebSocket endpoint's path.
const streamingPath = "/api/v1/streaming"

// LongLived reports whether r is a request that lasts as long as its
// connection (the streaming WebSocket), so a per-request deadline must not
// apply to it.
func LongLived(r *http.Request) bool { return r.URL.Path == streamingPath }

// streamingHealth answers as Mastodon's streaming server does.
func streamingHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("OK"))
}

// Publisher turns the domain's events into bus messages. The stream keys
// name who may receive an event; each connection then applies the
// visibility rule for its own viewer before sending anything.
type Publisher struct {
	Bus streaming.Bus
	Log interface {
		WarnContext(ctx context.Context, msg string, args ...any)
	}
}

// publishTimeout bounds the bus publish on the request's goroutine.
const publishTimeout = 2 * time.Second

// Publish implements social.Publisher.
func (p *Publisher) Publish(ctx context.Context, ev social.Event) {
	m := streaming.Message{Kind: streaming.Kind(ev.Kind), StatusID: ev.StatusID, Streams: slices.Clone(ev.Streams)}
	if ev.Status != nil {
		m.StatusID = ev.Status.ID
	}
	if ev.Notification != nil {
		m.NotificationID = ev.Notification.ID
	}
	for _, u := range ev.Users {
		id := strconv.FormatInt(u, 10)
		m.Streams = append(m.Streams, "user:"+id)
		if ev.Kind == social.EventNotification {
			m.Streams = append(m.Streams, "user:notification:"+id)
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := p.Bus.Publish(ctx, m); err != nil && p.Log != nil {
		p.Log.WarnContext(ctx, "streaming: publish failed; clients re-sync over REST", "kind", m.Kind, "err", err)
	}
}

// streamingToken finds the access token where Mastodon clients put it: the
// Authorization header, the access_token parameter, or (browsers cannot set
// headers on WebSocket requests) the first Sec-WebSocket-Protocol value,
// which must then be echoed back as the accepted subprotocol.
func streamingToken(r *http.Request) (token string, viaProtocol bool) {
	if t := bearer(r); t != "" {
		return t, false
	}
	if p := r.Header.Get("Sec-WebSocket-Protocol"); p != "" {
		first, _, _ := strings.Cut(p, ",")
		return strings.TrimSpace(first), true
	}
	return "", false
}

// streaming handles GET /api/v1/streaming: a WebSocket carrying Mastodon's
// streaming events for the streams the client subscribes to.
func (h *Handler) streaming(w http.ResponseWriter, r *http.Request) {
	if h.bus == nil {
		h.writeError(w, r, &requestError{status: http.StatusServiceUnavailable, msg: "Streaming is not available"})
		return
	}
	var sess *social.Session
	token, viaProtocol := streamingToken(r)
	if token != "" {
		s, err := h.svc.Authenticate(r.Context(), token)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		sess = s
	}
	c := &streamConn{h: h, subs: map[string]subscription{}}
	if sess != nil {
		c.viewer, c.scopes = sess.Account, sess.Scopes
	}
	// Join the bus and take the stream named in the URL before the
	// handshake completes: an event published as soon as the client is
	// connected must not be lost.
	events, stop := h.bus.Subscribe()
	defer stop()
	q := r.URL.Query()
	if name := q.Get("stream"); name != "" {
		sub, err := c.resolve(r.Context(), clientMessage{Type: "subscribe", Stream: name, Tag: q.Get("tag"), List: q.Get("list")})
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		c.subs[sub.key] = sub
	}
	opts := &websocket.AcceptOptions{
		// Authentication is by token, never by cookie, so a page on another
		// origin gains nothing it could not do with the token itself.
		InsecureSkipVerify: true,
	}
	if viaProtocol {
		opts.Subprotocols = []string{token}
	}
	conn, err := websocket.Accept(w, r, opts)
	if err != nil {
		return // Accept has answered the client
	}
	c.conn = conn
	c.serve(r.Context(), events)
}

// subscription is one stream a client listens to.
type subscription struct {
	stream []string // as sent back to the client: ["hashtag", "cats"]
	key    string   // the bus key: "hashtag:cats"
	user   bool     // a user stream (home rules: mutes apply)
}

// streamConn is one client connection.
type streamConn struct {
	h      *Handler
	conn   *websocket.Conn
	viewer *store.Account // nil when anonymous
	scopes []string

	mu   sync.Mutex
	subs map[string]subscription // by key
}

// pingInterval keeps idle connections (and the proxies between) open.
const pingInterval = 30 * time.Second

// writeTimeout drops a client that cannot take an event this long.
const writeTimeout = 10 * time.Second

func (c *streamConn) serve(reqCtx context.Context, events <-chan streaming.Message) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
	defer cancel()
	defer c.conn.CloseNow()
	go c.readLoop(ctx, cancel)

	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			c.conn.Close(websocket.StatusNormalClosure, "")
			return
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, writeTimeout)
			err := c.conn.Ping(pctx)
			pcancel()
			if err != nil {
				return
			}
		case m, ok := <-events:
			if !ok {
				c.conn.Close(websocket.StatusGoingAway, "server shutting down")
				return
			}
			if err := c.dispatch(ctx, m); err != nil {
				return
			}
		}
	}
}

// clientMessage is what a client sends: subscribe and unsubscribe.
type clientMessage struct {
	Type   string `json:"type"`
	Stream string `json:"stream"`
	Tag    string `json:"tag"`
	List   string `json:"list"`
}

func (c *streamConn) readLoop(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		_, data, err := c.conn.Read(ctx)
		if err != nil {
			return
		}
		var m clientMessage
		if err := json.Unmarshal(data, &m); err != nil {
			c.sendError(ctx, "Invalid JSON", http.StatusBadRequest)
			continue
		}
		c.handle(ctx, m)
	}
}

func (c *streamConn) handle(ctx context.Context, m clientMessage) {
	sub, err := c.resolve(ctx, m)
	if err != nil {
		var re *requestError
		status := http.StatusBadRequest
		if errors.As(err, &re) {
			status = re.status
		}
		c.sendError(ctx, err.Error(), status)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Type {
	case "subscribe":
		c.subs[sub.key] = sub
	case "unsubscribe":
		delete(c.subs, sub.key)
	}
}

// resolve checks a client's stream request and names its bus key. Streams
// and their rules are Mastodon's; "direct" (conversations) and remote
// streams are not offered, and say so.
func (c *streamConn) resolve(ctx context.Context, m clientMessage) (subscription, error) {
	if m.Type != "subscribe" && m.Type != "unsubscribe" {
		return subscription{}, badRequest("Unknown message type: " + m.Type)
	}
	needUser := func(scope string) error {
		if c.viewer == nil {
			return &requestError{status: http.StatusUnauthorized, msg: "Missing access token"}
		}
		if !social.ScopeAllows(c.scopes, scope) {
			return &requestError{status: http.StatusForbidden, msg: "Access token does not have the required scopes"}
		}
		return nil
	}
	id := func() string { return strconv.FormatInt(c.viewer.ID, 10) }
	tag := strings.ToLower(strings.TrimPrefix(m.Tag, "#"))
	switch m.Stream {
	case "user":
		if err := needUser("read:statuses"); err != nil {
			return subscription{}, err
		}
		return subscription{stream: []string{"user"}, key: "user:" + id(), user: true}, nil
	case "user:notification":
		if err := needUser("read:notifications"); err != nil {
			return subscription{}, err
		}
		return subscription{stream: []string{"user:notification"}, key: "user:notification:" + id(), user: true}, nil
	case "public", "public:local":
		return subscription{stream: []string{m.Stream}, key: m.Stream}, nil
	case "hashtag", "hashtag:local":
		if tag == "" {
			return subscription{}, badRequest("No tag for stream provided")
		}
		return subscription{stream: []string{m.Stream, tag}, key: m.Stream + ":" + tag}, nil
	case "list":
		if err := needUser("read:lists"); err != nil {
			return subscription{}, err
		}
		listID, err := strconv.ParseInt(m.List, 10, 64)
		if err != nil {
			return subscription{}, badRequest("No list for stream provided")
		}
		if _, err := c.h.svc.GetList(ctx, c.viewer, listID); err != nil {
			return subscription{}, &requestError{status: http.StatusNotFound, msg: "List not found"}
		}
		return subscription{stream: []string{"list", m.List}, key: "list:" + m.List, user: true}, nil
	}
	return subscription{}, badRequest("Unknown stream type")
}

// outEvent is Mastodon's streaming event: payload is a JSON document in a
// string (an entity, or a bare ID for deletes).
type outEvent struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload string   `json:"payload"`
}

// dispatch sends m on every matching subscription, after the visibility
// rule for this viewer. Only a failed write (the client is gone) is an error.
func (c *streamConn) dispatch(ctx context.Context, m streaming.Message) error {
	c.mu.Lock()
	var matched []subscription
	for _, key := range m.Streams {
		if sub, ok := c.subs[key]; ok {
			matched = append(matched, sub)
		}
	}
	c.mu.Unlock()
	for _, sub := range matched {
		payload, ok := c.render(ctx, m, sub)
		if !ok {
			continue
		}
		b, _ := json.Marshal(outEvent{Stream: sub.stream, Event: string(m.Kind), Payload: payload})
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := c.conn.Write(wctx, websocket.MessageText, b)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// render loads what the event refers to, as this viewer may see it now.
// Anything the viewer may not see, or that is gone, is skipped.
func (c *streamConn) render(ctx context.Context, m streaming.Message, sub subscription) (string, bool) {
	switch m.Kind {
	case streaming.KindDelete:
		return strconv.FormatInt(m.StatusID, 10), true
	case streaming.KindNotification:
		if c.viewer == nil {
			return "", false
		}
		n, err := c.h.svc.GetNotification(ctx, c.viewer, m.NotificationID)
		if err != nil {
			return "", false
		}
		out, err := c.h.notificationEntities(ctx, c.viewer, []*social.NotificationView{n})
		if err != nil || len(out) == 0 {
			return "", false
		}
		b, _ := json.Marshal(out[0])
		return string(b), true
	case streaming.KindUpdate, streaming.KindStatusUpdate:
		st, err := c.h.svc.GetStatus(ctx, c.viewer, m.StatusID)
		if err != nil {
			return "", false
		}
		if ok, err := c.h.svc.CanStream(ctx, c.viewer, social.Event{Status: st}, sub.user); err != nil || !ok {
			return "", false
		}
		out, err := c.h.statuses(ctx, c.viewer, []*store.Status{st})
		if err != nil || len(out) == 0 {
			return "", false
		}
		b, _ := json.Marshal(out[0])
		return string(b), true
	}
	return "", false
}

func (c *streamConn) sendError(ctx context.Context, msg string, status int) {
	b, _ := json.Marshal(map[string]any{"error": msg, "status": status})
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	_ = c.conn.Write(wctx, websocket.MessageText, b)
}
