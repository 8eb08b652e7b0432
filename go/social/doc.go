// Package social holds Starling's domain rules: who may register and log in,
// who may follow whom, what a valid status is, and who may see which status.
// The HTTP layer calls it with the authenticated viewer and plain inputs; it
// never sees an *http.Request, and it reports failures as *Error values with
// a Kind that package api maps to an HTTP status in one place.
//
// Dependencies point one way: api → social → store. Every other
// collaborator is an interface declared here, where it is consumed
// (service.go, events.go), implemented by a package that does not import
// social back, and plugged in by cmd/starling/serve.go:
//
//	interface (social)  implemented by                           wired in cmd/starling
//	------------------  ---------------------------------------  ------------------------------------------
//	store.Store         sqlite.Store, postgres.Store             storage.go openStore (--db), serve.go
//	Moderator           moderation.Moderator over policy.Host     plugins.go startPlugins (--plugins), serve.go
//	Ranker              moderation.Moderator (rank plugins)       serve.go
//	Embedder            not wired (search.Statuses embeds)        -
//	Indexer             search.Statuses (over search.Index)       index.go startStatusIndex
//	StatusSearcher      search.Statuses                           index.go startStatusIndex
//	HomeFeed            feed.Pull                                 serve.go (feed.NewPull)
//	Publisher           mastodon.Publisher (over streaming.Bus)   serve.go (streaming.NewLocal or NewRedis)
//	MediaProcessor      media.Library (over media.Disk)           media.go openMedia (--media-dir), serve.go
//	PresenceTracker     presence.Tracker (Memory, or Redis)       serve.go (--presence-ttl; Redis with --redis)
//
// Only Store (and the ID generator) are required: a nil Moderator allows
// every status and account, a nil Ranker keeps the service's own order, a nil Embedder stores no vectors, a nil Indexer or
// Publisher is skipped, a nil StatusSearcher leaves search to full text, and
// a nil HomeFeed makes the home timeline unavailable, a nil MediaProcessor
// refuses uploads, a nil PresenceTracker makes presence unavailable. Tests wire fakes or
// the real packages the same way.
package social
