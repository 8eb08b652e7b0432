// Package streaming carries Starling's live events between server
// processes: a status was posted or deleted, a notification was created.
// The domain (package social) decides who may receive an event and names
// the streams it belongs on; the bus only moves it. The WebSocket endpoint
// (api/mastodon) subscribes to the bus once per process and delivers to
// connected clients. One kind of message is for the endpoints themselves,
// never for a client: KindRelationship, after which they reload what they
// keep in memory about the named accounts' follows, blocks and mutes.
//
// Two buses: Local, within one process (the embedded default), and Redis,
// which publishes on one Redis pub/sub channel so clients connected to any
// server process receive every event. Redis pub/sub is fire-and-forget:
// an event published while a process is disconnected is not replayed, as
// with Mastodon's own streaming server; clients re-sync with the REST API.
package streaming
