package mastodon

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/streaming"
)

// streamHub delivers the bus's events to this process's streaming
// connections. It reads the bus once for all of them and finds the
// connections subscribed to an event's streams through an index, so an
// event costs nothing on connections that do not listen for it. Each
// connection then applies the visibility rule for its own viewer, from
// memory, and writes. Whatever does not depend on the viewer (loading the
// status, rendering it for shared streams, encoding the frame) is done once
// per event, by whichever connection needs it first (streamEvent).
type streamHub struct {
	h       *Handler
	dropped atomic.Int64 // deliveries lost to full connection queues

	mu      sync.RWMutex
	subs    map[string]map[*streamConn]*subscription // by stream key
	conns   map[*streamConn]struct{}
	viewers map[int64]*viewerRelations // by account ID, shared by its connections
	closed  bool
}

// newStreamHub subscribes to bus; the hub ends, closing its connections,
// when the bus closes.
func newStreamHub(h *Handler, bus streaming.Bus) *streamHub {
	hb := &streamHub{h: h, subs: map[string]map[*streamConn]*subscription{},
		conns: map[*streamConn]struct{}{}, viewers: map[int64]*viewerRelations{}}
	events, _ := bus.Subscribe()
	go hb.run(events)
	return hb
}

func (hb *streamHub) run(events <-chan streaming.Message) {
	for m := range events {
		hb.route(m)
	}
	hb.mu.Lock()
	defer hb.mu.Unlock()
	hb.closed = true
	for c := range hb.conns {
		c.goAway()
	}
}

// route hands m to every connection subscribed to one of its streams, in
// bus order, without waiting: a connection whose queue is full loses the
// event (counted and logged) rather than stalling the others.
func (hb *streamHub) route(m streaming.Message) {
	if m.Kind == streaming.KindRelationship {
		hb.invalidate(m.Accounts)
		return
	}
	if m.Kind == streaming.KindSessionsRevoked {
		hb.revoke(m.Accounts)
		return
	}
	if m.Kind == streaming.KindFiltersChanged {
		hb.invalidate(m.Accounts) // and on to the accounts' user streams
	}
	ev := &streamEvent{msg: m}
	hb.mu.RLock()
	defer hb.mu.RUnlock()
	for _, key := range m.Streams {
		for c, sub := range hb.subs[key] {
			select {
			case c.out <- delivery{ev: ev, sub: sub}:
			default:
				if n := hb.dropped.Add(1); n&(n-1) == 0 { // log at powers of two
					hb.h.log.Warn("streaming: slow client, event dropped", "dropped_total", n)
				}
			}
		}
	}
}

// join registers c, with the relationships of its viewer (if any), until
// leave. It fails once the hub has closed.
func (hb *streamHub) join(c *streamConn) bool {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	if hb.closed {
		return false
	}
	hb.conns[c] = struct{}{}
	if c.viewer != nil {
		vr := hb.viewers[c.viewer.ID]
		if vr == nil {
			vr = &viewerRelations{account: c.viewer}
			hb.viewers[c.viewer.ID] = vr
		}
		vr.refs++
		c.rel = vr
	}
	return true
}

// leave removes c and its subscriptions. The caller makes sure c's reader
// has stopped, so c.subs no longer changes.
func (hb *streamHub) leave(c *streamConn) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	delete(hb.conns, c)
	for key := range c.subs {
		hb.removeLocked(c, key)
	}
	if c.rel != nil {
		if c.rel.refs--; c.rel.refs == 0 {
			delete(hb.viewers, c.viewer.ID)
		}
	}
}

func (hb *streamHub) add(c *streamConn, sub *subscription) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	m := hb.subs[sub.key]
	if m == nil {
		m = map[*streamConn]*subscription{}
		hb.subs[sub.key] = m
	}
	m[c] = sub
}

func (hb *streamHub) remove(c *streamConn, key string) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	hb.removeLocked(c, key)
}

func (hb *streamHub) removeLocked(c *streamConn, key string) {
	if m := hb.subs[key]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(hb.subs, key)
		}
	}
}

// revoke closes the connections signed in as accounts (suspended): their
// tokens no longer authenticate, so neither may a stream opened with one.
func (hb *streamHub) revoke(accounts []int64) {
	hb.mu.RLock()
	defer hb.mu.RUnlock()
	for c := range hb.conns {
		if c.viewer != nil && slices.Contains(accounts, c.viewer.ID) {
			c.revoke()
		}
	}
}

// invalidate marks what the hub holds of accounts' relationships stale.
// It runs in bus order, so an event published after a block is judged
// with the block.
func (hb *streamHub) invalidate(accounts []int64) {
	hb.mu.RLock()
	defer hb.mu.RUnlock()
	for _, id := range accounts {
		if vr := hb.viewers[id]; vr != nil {
			vr.gen.Add(1)
		}
	}
}

// relationsTTL bounds how long a viewer's relationships are trusted
// without an EventRelationship: it catches mutes that expire, and messages
// a process missed while it was cut off from Redis.
const relationsTTL = time.Minute

// viewerRelations is what the visibility rule needs of one signed-in
// account, shared by its connections and loaded again when stale.
type viewerRelations struct {
	account *store.Account
	refs    int           // connections holding it; guarded by streamHub.mu
	gen     atomic.Uint64 // bumped by invalidate

	mu       sync.Mutex
	v        *social.StreamViewer
	loadedAt time.Time
	atGen    uint64 // gen when v was loaded
}

// get returns the viewer's relationships, loading them when missing,
// invalidated or older than relationsTTL. One connection loads while the
// others wait, so an account costs one load however many connections it has.
func (vr *viewerRelations) get(ctx context.Context, svc *social.Service) (*social.StreamViewer, error) {
	vr.mu.Lock()
	defer vr.mu.Unlock()
	gen := vr.gen.Load()
	if vr.v != nil && vr.atGen == gen && time.Since(vr.loadedAt) < relationsTTL {
		return vr.v, nil
	}
	v, err := svc.LoadStreamViewer(ctx, vr.account)
	if err != nil {
		return nil, err
	}
	// Loaded after gen was read: a change that bumps gen meanwhile makes
	// the next get load again.
	vr.v, vr.loadedAt, vr.atGen = v, time.Now(), gen
	return v, nil
}

// delivery is one event for one subscription of a connection.
type delivery struct {
	ev  *streamEvent
	sub *subscription
}

// renderTimeout bounds the work done once per event for every listener;
// it does not depend on any one client's connection.
const renderTimeout = 10 * time.Second

// streamEvent is one bus message with the work its listeners share, each
// piece done at most once: the status and its visibility facts, the
// payload rendered for anyone (shared streams), each account's own payload
// (user streams, lists, notifications), and each stream's encoded frame.
type streamEvent struct {
	msg streaming.Message

	statusOnce sync.Once
	status     *social.StreamStatus // nil when gone or failed

	anonOnce sync.Once
	anon     string // the payload for shared streams; "" when none

	mu        sync.Mutex
	frames    map[string][]byte               // by subscription key, for payloads every listener shares
	byAccount map[int64]func() (string, bool) // each account's own payload
}

// loadStatus loads the event's status once for all listeners.
func (ev *streamEvent) loadStatus(svc *social.Service) *social.StreamStatus {
	ev.statusOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
		defer cancel()
		ev.status, _ = svc.LoadStreamStatus(ctx, ev.msg.StatusID) // gone: nobody gets it
	})
	return ev.status
}

// sharedFrame is the encoded event for sub when its payload is the same
// for every listener, computed by payload at most once per stream key.
func (ev *streamEvent) sharedFrame(sub *subscription, payload func() string) []byte {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if f, ok := ev.frames[sub.key]; ok {
		return f
	}
	if ev.frames == nil {
		ev.frames = map[string][]byte{}
	}
	f := encodeFrame(sub, ev.msg.Kind, payload())
	ev.frames[sub.key] = f
	return f
}

// accountPayload is account's own payload, rendered by render at most once
// however many of the account's connections and subscriptions get it.
func (ev *streamEvent) accountPayload(account int64, render func() (string, bool)) (string, bool) {
	ev.mu.Lock()
	if ev.byAccount == nil {
		ev.byAccount = map[int64]func() (string, bool){}
	}
	f, ok := ev.byAccount[account]
	if !ok {
		f = sync.OnceValues(render)
		ev.byAccount[account] = f
	}
	ev.mu.Unlock()
	return f()
}

// outEvent is Mastodon's streaming event: payload is a JSON document in a
// string (an entity, or a bare ID for deletes).
type outEvent struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload string   `json:"payload,omitempty"` // none for filters_changed
}

func encodeFrame(sub *subscription, kind streaming.Kind, payload string) []byte {
	b, _ := json.Marshal(outEvent{Stream: sub.stream, Event: string(kind), Payload: payload})
	return b
}

// frame is what c sends for d, or false when its viewer may not see the
// event or the event's subject is gone.
func (c *streamConn) frame(ctx context.Context, d delivery) ([]byte, bool) {
	ev, sub, svc := d.ev, d.sub, c.h.svc
	switch ev.msg.Kind {
	case streaming.KindDelete:
		return ev.sharedFrame(sub, func() string { return strconv.FormatInt(ev.msg.StatusID, 10) }), true
	case streaming.KindNotification:
		if c.viewer == nil {
			return nil, false
		}
		p, ok := ev.accountPayload(c.viewer.ID, func() (string, bool) { return c.renderNotification(ev.msg.NotificationID) })
		return encodeFrame(sub, ev.msg.Kind, p), ok
	case streaming.KindFiltersChanged:
		// No payload, as Mastodon sends it (masto.js parses any payload).
		return ev.sharedFrame(sub, func() string { return "" }), true
	case streaming.KindConversation:
		if c.viewer == nil {
			return nil, false
		}
		p, ok := ev.accountPayload(c.viewer.ID, func() (string, bool) { return c.renderConversation(ev.msg.StatusID) })
		return encodeFrame(sub, ev.msg.Kind, p), ok
	case streaming.KindUpdate, streaming.KindStatusUpdate:
		ss := ev.loadStatus(svc)
		if ss == nil {
			return nil, false
		}
		var v *social.StreamViewer
		if c.rel != nil {
			var err error
			if v, err = c.rel.get(ctx, svc); err != nil {
				c.h.log.Warn("streaming: viewer relationships", "account", c.viewer.ID, "err", err)
				return nil, false // fail closed
			}
		}
		if !ss.VisibleTo(v, sub.user) {
			return nil, false
		}
		if !sub.user {
			// Shared streams carry the status as anyone sees it, as
			// Mastodon's do: no per-viewer fields, one rendering. The
			// listener's filters of the public context still apply: a
			// hidden status is not sent, a matched one carries filtered.
			hide, matches := ss.FiltersFor(v, social.FilterPublic)
			if hide {
				return nil, false
			}
			ev.anonOnce.Do(func() { ev.anon, _ = c.renderStatus(nil, ss.Status(), "") })
			if ev.anon == "" {
				return nil, false
			}
			if len(matches) > 0 {
				return encodeFrame(sub, ev.msg.Kind, withFiltered(ev.anon, matches)), true
			}
			return ev.sharedFrame(sub, func() string { return ev.anon }), true
		}
		p, ok := ev.accountPayload(c.viewer.ID, func() (string, bool) { return c.renderStatus(c.viewer, ss.Status(), social.FilterHome) })
		return encodeFrame(sub, ev.msg.Kind, p), ok
	}
	return nil, false
}

// withFiltered is a shared stream's rendered status with one listener's
// filter matches in filtered (the reblogged original's too, as
// ApplyFilters sets them).
func withFiltered(payload string, matches []social.FilterMatch) string {
	var s Status
	if err := json.Unmarshal([]byte(payload), &s); err != nil {
		return payload
	}
	f := filterResults(matches)
	s.Filtered = &f
	if s.Reblog != nil {
		s.Reblog.Filtered = s.Filtered
	}
	b, _ := json.Marshal(&s)
	return string(b)
}

// renderStatus renders st as viewer (nil: anyone) sees it in filter
// context fctx; false when a filter hides it.
func (c *streamConn) renderStatus(viewer *store.Account, st *store.Status, fctx string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	out, err := c.h.statusesIn(ctx, viewer, []*store.Status{st}, fctx)
	if err != nil || len(out) == 0 {
		return "", false
	}
	b, _ := json.Marshal(out[0])
	return string(b), true
}

// renderConversation renders c's viewer's conversation holding statusID.
func (c *streamConn) renderConversation(statusID int64) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	conv, err := c.h.svc.ConversationOfStatus(ctx, c.viewer, statusID)
	if err != nil {
		return "", false
	}
	out, err := c.h.conversations(ctx, c.viewer, []*social.Conversation{conv})
	if err != nil || out[0].LastStatus == nil {
		return "", false
	}
	b, _ := json.Marshal(out[0])
	return string(b), true
}

// renderNotification renders a notification for its recipient, c's viewer.
func (c *streamConn) renderNotification(id int64) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	n, err := c.h.svc.GetNotification(ctx, c.viewer, id)
	if err != nil {
		return "", false
	}
	out, err := c.h.notificationEntities(ctx, c.viewer, []*social.NotificationView{n})
	if err != nil || len(out) == 0 {
		return "", false
	}
	b, _ := json.Marshal(out[0])
	return string(b), true
}

// StreamStats reports the open streaming connections of this process and
// the deliveries dropped so far to full connection queues, for metrics.
// Both are zero without a bus.
func (h *Handler) StreamStats() (connections int, dropped int64) {
	if h.hub == nil {
		return 0, 0
	}
	h.hub.mu.RLock()
	defer h.hub.mu.RUnlock()
	return len(h.hub.conns), h.hub.dropped.Load()
}
