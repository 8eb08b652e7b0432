package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
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
// visibility rule for its own viewer before sending anything (stream_hub.go).
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
	if ev.Kind == social.EventRelationship || ev.Kind == social.EventSessionsRevoked || ev.Kind == social.EventAccountsReinstated {
		// For no client's stream: every process's hub reloads what it
		// holds of these accounts' relationships, or closes their
		// connections.
		m.Accounts = slices.Clone(ev.Users)
	} else {
		for _, u := range ev.Users {
			id := strconv.FormatInt(u, 10)
			if ev.Kind == social.EventConversation {
				m.Streams = append(m.Streams, "direct:"+id)
				continue
			}
			m.Streams = append(m.Streams, "user:"+id)
			if ev.Kind == social.EventFiltersChanged {
				m.Accounts = append(m.Accounts, u)
			}
			if ev.Kind == social.EventNotification {
				m.Streams = append(m.Streams, "user:notification:"+id)
			}
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
// streaming events for the streams the client subscribes to. The caps on
// connections are checked before anything costs a query; a client over one
// is told so by an error event and a close code (capError).
func (h *Handler) streaming(w http.ResponseWriter, r *http.Request) {
	if h.hub == nil {
		h.writeError(w, r, &requestError{status: http.StatusServiceUnavailable, msg: "Streaming is not available"})
		return
	}
	token, viaProtocol := streamingToken(r)
	release, capErr := h.streamConns.acquireAddr(h.clientKey(r))
	if capErr != nil {
		refuseStream(w, r, token, viaProtocol, capErr)
		return
	}
	defer release()
	var sess *social.Session
	if token != "" {
		s, err := h.svc.Authenticate(r.Context(), token)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		sess = s
	}
	c := newStreamConn(h, sess)
	defer c.stop(nil)
	if c.viewer != nil {
		release, capErr := h.streamConns.acquireAccount(c.viewer.ID)
		if capErr != nil {
			refuseStream(w, r, token, viaProtocol, capErr)
			return
		}
		defer release()
	}
	if !h.hub.join(c) {
		h.writeError(w, r, &requestError{status: http.StatusServiceUnavailable, msg: "Streaming is not available"})
		return
	}
	defer h.hub.leave(c)
	if sess != nil {
		// A suspension whose revocation the hub handled between the
		// authentication above and the join would miss this connection:
		// once joined, the token must still be good.
		if _, err := h.svc.Authenticate(r.Context(), token); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	// Take the stream named in the URL before the handshake completes: an
	// event published as soon as the client is connected must not be lost.
	q := r.URL.Query()
	if name := q.Get("stream"); name != "" {
		err := c.handle(r.Context(), clientMessage{Type: "subscribe", Stream: name, Tag: q.Get("tag"), List: q.Get("list")})
		if err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	conn, err := websocket.Accept(w, r, acceptOptions(token, viaProtocol))
	if err != nil {
		return // Accept has answered the client
	}
	c.conn = conn
	c.serve()
}

// acceptOptions echoes the token as the subprotocol when it came as one
// (a browser fails the handshake otherwise).
func acceptOptions(token string, viaProtocol bool) *websocket.AcceptOptions {
	opts := &websocket.AcceptOptions{
		// Authentication is by token, never by cookie, so a page on another
		// origin gains nothing it could not do with the token itself.
		InsecureSkipVerify: true,
	}
	if viaProtocol {
		opts.Subprotocols = []string{token}
	}
	return opts
}

// refuseStream tells a client over a connection cap why, in a way every
// client sees: the handshake completes, an error event follows, then the
// close code of e.
func refuseStream(w http.ResponseWriter, r *http.Request, token string, viaProtocol bool, e *capError) {
	conn, err := websocket.Accept(w, r, acceptOptions(token, viaProtocol))
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"error": e.msg, "status": e.status})
	if conn.Write(ctx, websocket.MessageText, b) == nil {
		conn.Close(e.code, e.reason)
	}
}
