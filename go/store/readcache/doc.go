// Package readcache keeps, in process memory, the rows every signed-in read
// asks for again and again (the token, the accounts and statuses of a
// page, the viewer's relations, interaction flags, filters, followed tags
// and pins, the media and polls of statuses), so that a warm home timeline
// page needs no SQL at all.
//
// Store decorates a store.Store. Reads it caches are served from memory;
// every other method passes through. It is never stale, by construction
// rather than by expiry: each cached row sits in a domain (accounts,
// statuses, viewer, filters, tokens, media) whose versions are bumped by
// the write methods of this same Store after the write returned and before
// its caller sees the result, per key where the write names it (the
// favourited status and the favouriting viewer) and for the whole domain
// where it does not. A row read from the database is kept only if no bump
// of its key happened since before it was read, so a write racing a fill
// can never leave the old row behind. Time-bound answers (mutes with an
// expiry) are kept only until they change.
//
// Every store method is either overridden here or listed in unaffected
// with the reason it changes nothing cached (TestEveryWriteIsClassified
// parses this package and fails on a new store method that is neither):
// a change to what the visibility rule reads (say, an account suspended)
// then has to name what it invalidates, instead of being assumed not to.
//
// The versions live in this process only. Use it when this process is the
// only writer of the database: SQLite, or one server on PostgreSQL.
// Several servers sharing a PostgreSQL database must not use it (the
// default, --read-cache auto, turns it on for SQLite only), since a write
// made by another process would not bump this one's versions.
//
// Cached values are shared between callers. Batch reads of accounts and
// statuses (GetAccountsByIDs, GetStatusesByIDs) serve the cached structs
// themselves, which callers must treat as read-only: they only render
// them, and NewChecked, behind which the HTTP tests run, panics when a
// caller changed one. Every other read returns copies of the structs
// (accounts and statuses read one at a time, tokens, relations, media,
// polls, filters), whose slices callers must treat as read-only.
package readcache
