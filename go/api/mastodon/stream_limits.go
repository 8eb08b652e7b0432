package mastodon

import (
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// StreamLimits cap what streaming clients may hold in one server process:
// every connection and every subscription costs memory for as long as it
// lasts, and anyone may open them.
type StreamLimits struct {
	// Connections caps open streaming connections in total.
	Connections int
	// ConnectionsPerIP caps them per client address, as Options.ClientKey
	// names it (the server counts IPv6 clients by /64, the block one
	// subscriber is usually given).
	ConnectionsPerIP int
	// ConnectionsPerAccount caps them per signed-in account.
	ConnectionsPerAccount int
	// Subscriptions caps the streams one connection listens to.
	Subscriptions int
	// SubscribeRate is the messages per second a connection may send,
	// after a first burst of twice Subscriptions (a reconnecting client
	// subscribes to all its streams at once).
	SubscribeRate float64
}

// DefaultStreamLimits are generous for people (a client keeps one
// connection per device or tab, with a stream per column) and small enough
// that one address cannot hold much.
func DefaultStreamLimits() StreamLimits {
	return StreamLimits{Connections: 10000, ConnectionsPerIP: 50, ConnectionsPerAccount: 20,
		Subscriptions: 50, SubscribeRate: 1}
}

// withDefaults replaces zero or negative fields with the defaults.
func (l StreamLimits) withDefaults() StreamLimits {
	d := DefaultStreamLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	l.Connections = pick(l.Connections, d.Connections)
	l.ConnectionsPerIP = pick(l.ConnectionsPerIP, d.ConnectionsPerIP)
	l.ConnectionsPerAccount = pick(l.ConnectionsPerAccount, d.ConnectionsPerAccount)
	l.Subscriptions = pick(l.Subscriptions, d.Subscriptions)
	if l.SubscribeRate <= 0 {
		l.SubscribeRate = d.SubscribeRate
	}
	return l
}

// maxClientMessage is the read limit on what a client sends: a subscribe
// message is well under 1 KiB. A larger one closes the connection with
// 1009 (message too big).
const maxClientMessage = 4096

// capError is a connection cap a client hit. The connection is accepted
// only to tell it so, with an error event (Mastodon's {"error", "status"}
// shape) and a close code a browser can see, then closed.
type capError struct {
	status int                  // in the error event
	msg    string               // the error event's text
	code   websocket.StatusCode // the close code
	reason string               // the close reason (at most 123 bytes)
}

// connCounter counts open connections against the caps.
type connCounter struct {
	limits    StreamLimits
	mu        sync.Mutex
	total     int
	byIP      map[string]int
	byAccount map[int64]int
}

func newConnCounter(l StreamLimits) *connCounter {
	return &connCounter{limits: l, byIP: map[string]int{}, byAccount: map[int64]int{}}
}

// acquireAddr counts a connection from the client named key (an address,
// or an IPv6 /64: Options.ClientKey) in the total and per-address counts,
// or says which cap it hits. The caller calls release once, when the
// connection ends.
func (cc *connCounter) acquireAddr(key string) (release func(), _ *capError) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.total >= cc.limits.Connections {
		return nil, &capError{status: http.StatusServiceUnavailable, code: websocket.StatusTryAgainLater,
			msg:    "Too many streaming connections on this server; try again later",
			reason: "server connection limit"}
	}
	if cc.byIP[key] >= cc.limits.ConnectionsPerIP {
		return nil, &capError{status: http.StatusTooManyRequests, code: websocket.StatusPolicyViolation,
			msg:    fmt.Sprintf("Too many streaming connections from your address (at most %d)", cc.limits.ConnectionsPerIP),
			reason: "too many connections from this address"}
	}
	cc.total++
	cc.byIP[key]++
	return sync.OnceFunc(func() {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		cc.total--
		if cc.byIP[key]--; cc.byIP[key] == 0 {
			delete(cc.byIP, key)
		}
	}), nil
}

// acquireAccount counts a connection of a signed-in account, or says it
// hits the per-account cap.
func (cc *connCounter) acquireAccount(id int64) (release func(), _ *capError) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.byAccount[id] >= cc.limits.ConnectionsPerAccount {
		return nil, &capError{status: http.StatusTooManyRequests, code: websocket.StatusPolicyViolation,
			msg:    fmt.Sprintf("Too many streaming connections for this account (at most %d)", cc.limits.ConnectionsPerAccount),
			reason: "too many connections for this account"}
	}
	cc.byAccount[id]++
	return sync.OnceFunc(func() {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if cc.byAccount[id]--; cc.byAccount[id] == 0 {
			delete(cc.byAccount, id)
		}
	}), nil
}

// remoteIP is the connection's address, the client's key when no
// ClientKey function is configured.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
