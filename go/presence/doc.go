// Package presence records which accounts are online, as the seed design
// describes it: a streaming connection, and a heartbeat a client sends
// while it is open, mark an account online for a TTL; nothing marks it
// offline, the mark expires. Two stores keep the marks: Memory, in this
// process (the default), and Redis (`starling serve --redis`), where each
// mark is one key set with `SET … EX`, so every server process sees the
// accounts marked by the others.
//
// Tracker sits in front of a store and is what the server uses. It bounds
// what a caller can make the store do: an account's marks reach the store
// at most once per TTL/4 per process however often its clients send
// heartbeats, and a query asks about at most MaxQuery accounts.
//
// Who may see whose presence is not decided here: package social answers
// only for accounts the viewer follows, without a block either way (see
// social.Presence).
package presence
