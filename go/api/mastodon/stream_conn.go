package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// subscription is one stream a client listens to. It does not change once
// made, so deliveries share it.
type subscription struct {
	stream []string // as sent back to the client: ["hashtag", "cats"]
	key    string   // the bus key: "hashtag:cats"
	user   bool     // a user stream or a list (home rules: mutes apply)
	list   int64    // the list, for a list stream
}

// streamConn is one client connection. Its reader goroutine owns subs and
// lists; its writer (serve) only reads the deliveries the hub queues.
type streamConn struct {
	h       *Handler
	conn    *websocket.Conn
	viewer  *store.Account // nil when anonymous
	scopes  []string
	rel     *viewerRelations // the viewer's relationships; nil when anonymous
	out     chan delivery    // events, and pings (a delivery without an event)
	limiter *rate.Limiter    // client messages
	ctx     context.Context  // ends with the connection
	stop    context.CancelCauseFunc

	subs  map[string]*subscription // by key
	lists map[int64]bool           // lists known to be the viewer's
}

// connQueue is how many deliveries may wait for one connection. A client
// that falls this far behind loses events (counted and logged) rather than
// holding memory or stalling the others; clients re-sync over REST, as
// after any disconnection.
const connQueue = 256

// errGoingAway ends connections when the server shuts down.
var errGoingAway = errors.New("server shutting down")

func newStreamConn(h *Handler, sess *social.Session) *streamConn {
	c := &streamConn{h: h, out: make(chan delivery, connQueue),
		limiter: rate.NewLimiter(rate.Limit(h.streamLimits.SubscribeRate), 2*h.streamLimits.Subscriptions),
		subs:    map[string]*subscription{}, lists: map[int64]bool{}}
	c.ctx, c.stop = context.WithCancelCause(context.Background())
	if sess != nil {
		c.viewer, c.scopes = sess.Account, sess.Scopes
	}
	return c
}

// goAway tells the connection the server is shutting down.
func (c *streamConn) goAway() { c.stop(errGoingAway) }

// errRevoked ends the connections of an account whose sessions were
// revoked (suspended by a moderator).
var errRevoked = errors.New("session revoked")

// revoke closes the connection because its viewer's sessions were revoked.
func (c *streamConn) revoke() { c.stop(errRevoked) }

// pingInterval keeps idle connections (and the proxies between) open.
const pingInterval = 30 * time.Second

// writeTimeout drops a client that cannot take an event this long.
const writeTimeout = 10 * time.Second

// serve writes queued events until the client goes or the server shuts
// down, then waits for the reader to stop.
//
// This loop runs once per listener per event, so it is kept lean: one
// two-way select, and no context per write (setting one up costs about as
// much as the write): a single timer per connection closes a client that
// takes longer than writeTimeout over a write.
func (c *streamConn) serve() {
	readDone := make(chan struct{})
	watchdog := time.AfterFunc(time.Hour, func() { c.conn.CloseNow() })
	watchdog.Stop()
	var pinger *time.Timer
	pinger = time.AfterFunc(pingInterval, func() {
		select {
		case c.out <- delivery{}:
		default: // events are flowing; they keep the connection open
		}
		pinger.Reset(pingInterval)
	})
	defer func() {
		pinger.Stop()
		c.stop(nil)
		c.conn.CloseNow()
		<-readDone // the reader owns subs; the hub may read them only after
	}()
	go func() {
		defer close(readDone)
		c.readLoop()
	}()
	if c.viewer != nil && c.h.svc.PresenceTTL() > 0 {
		go c.keepOnline()
	}
	for {
		select {
		case <-c.ctx.Done():
			switch context.Cause(c.ctx) {
			case errGoingAway:
				c.conn.Close(websocket.StatusGoingAway, "server shutting down")
			case errRevoked:
				// 4001, as a refused token at connect would be told 401.
				c.conn.Close(websocket.StatusCode(4001), "The access token is invalid")
			default:
				c.conn.Close(websocket.StatusNormalClosure, "")
			}
			return
		case d := <-c.out:
			if d.ev == nil {
				if c.ping() != nil {
					return
				}
				continue
			}
			f, ok := c.frame(c.ctx, d)
			if !ok {
				continue
			}
			watchdog.Reset(writeTimeout)
			err := c.conn.Write(context.Background(), websocket.MessageText, f)
			watchdog.Stop()
			if err != nil {
				return
			}
		}
	}
}

// keepOnline marks the viewer online (package presence) while the
// connection is open: now, then every ping interval, or a third of the
// presence TTL when that is shorter, so the mark never lapses in between.
func (c *streamConn) keepOnline() {
	every := min(pingInterval, c.h.svc.PresenceTTL()/3)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		if _, err := c.h.svc.Heartbeat(ctx, c.viewer); err != nil && c.ctx.Err() == nil {
			// Debug: with the presence store down, every open connection
			// would log this each interval.
			c.h.log.Debug("streaming: presence mark failed", "account_id", c.viewer.ID, "err", err)
		}
		cancel()
		select {
		case <-c.ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ping checks the client is there (its reader answers the pong).
func (c *streamConn) ping() error {
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	return c.conn.Ping(ctx)
}

// clientMessage is what a client sends: subscribe and unsubscribe.
type clientMessage struct {
	Type   string `json:"type"`
	Stream string `json:"stream"`
	Tag    string `json:"tag"`
	List   string `json:"list"`
}

func (c *streamConn) readLoop() {
	defer c.stop(nil)
	ctx := c.ctx
	c.conn.SetReadLimit(maxClientMessage)
	for {
		// Not bound to ctx: a cancelled Read closes the connection at once,
		// before serve can send the close code saying why (going away,
		// revoked). serve closes the connection when it ends, which ends
		// this Read.
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		if !c.limiter.Allow() {
			c.sendError(ctx, &requestError{status: http.StatusTooManyRequests, msg: "Too many requests"})
			continue
		}
		var m clientMessage
		if err := json.Unmarshal(data, &m); err != nil {
			c.sendError(ctx, badRequest("Invalid JSON"))
			continue
		}
		if err := c.handle(ctx, m); err != nil {
			c.sendError(ctx, err)
		}
	}
}

func (c *streamConn) handle(ctx context.Context, m clientMessage) error {
	switch m.Type {
	case "subscribe":
		sub, err := c.resolve(m)
		if err != nil {
			return err
		}
		return c.subscribe(ctx, sub)
	case "unsubscribe":
		sub, err := c.resolve(m)
		if err != nil {
			return err
		}
		if _, ok := c.subs[sub.key]; ok {
			delete(c.subs, sub.key)
			c.h.hub.remove(c, sub.key)
		}
		return nil
	}
	return badRequest("Unknown message type: " + m.Type)
}

// subscribe adds sub, within the subscription cap. A list must be the
// viewer's: checked with one query the first time, remembered after, so
// subscribing again costs none.
func (c *streamConn) subscribe(ctx context.Context, sub *subscription) error {
	if _, ok := c.subs[sub.key]; ok {
		return nil
	}
	if n := c.h.streamLimits.Subscriptions; len(c.subs) >= n {
		return &requestError{status: http.StatusTooManyRequests,
			msg: fmt.Sprintf("Too many subscriptions on this connection (at most %d)", n)}
	}
	if sub.list != 0 && !c.lists[sub.list] {
		if _, err := c.h.svc.GetList(ctx, c.viewer, sub.list); err != nil {
			return &requestError{status: http.StatusNotFound, msg: "List not found"}
		}
		c.lists[sub.list] = true
	}
	c.subs[sub.key] = sub
	c.h.hub.add(c, sub)
	return nil
}

// resolve checks a client's stream request and names its bus key, without
// a query. Streams and their rules are Mastodon's; remote streams are not
// offered, and say so.
func (c *streamConn) resolve(m clientMessage) (*subscription, error) {
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
	switch m.Stream {
	case "user":
		if err := needUser("read:statuses"); err != nil {
			return nil, err
		}
		return &subscription{stream: []string{"user"}, key: "user:" + id(), user: true}, nil
	case "user:notification":
		if err := needUser("read:notifications"); err != nil {
			return nil, err
		}
		return &subscription{stream: []string{"user:notification"}, key: "user:notification:" + id(), user: true}, nil
	case "direct":
		if err := needUser("read:statuses"); err != nil {
			return nil, err
		}
		return &subscription{stream: []string{"direct"}, key: "direct:" + id(), user: true}, nil
	case "public", "public:local":
		return &subscription{stream: []string{m.Stream}, key: m.Stream}, nil
	case "hashtag", "hashtag:local":
		if m.Tag == "" {
			return nil, badRequest("No tag for stream provided")
		}
		tag, ok := c.h.svc.StreamTag(m.Tag)
		if !ok {
			return nil, badRequest("Invalid tag name")
		}
		return &subscription{stream: []string{m.Stream, tag}, key: m.Stream + ":" + tag}, nil
	case "list":
		if err := needUser("read:lists"); err != nil {
			return nil, err
		}
		listID, err := strconv.ParseInt(m.List, 10, 64)
		if err != nil || listID <= 0 {
			return nil, badRequest("No list for stream provided")
		}
		key := strconv.FormatInt(listID, 10)
		return &subscription{stream: []string{"list", key}, key: "list:" + key, user: true, list: listID}, nil
	}
	return nil, badRequest("Unknown stream type")
}

// sendError answers a client message with Mastodon's error event.
func (c *streamConn) sendError(ctx context.Context, err error) {
	status := http.StatusBadRequest
	var re *requestError
	if errors.As(err, &re) {
		status = re.status
	}
	b, _ := json.Marshal(map[string]any{"error": err.Error(), "status": status})
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	_ = c.conn.Write(wctx, websocket.MessageText, b)
}
