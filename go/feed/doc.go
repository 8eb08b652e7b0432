// Package feed builds home timelines, by one of three strategies behind one
// interface (Strategy), chosen by `starling serve --feed-strategy`.
//
// # Strategies
//
// Pull (fan-out on read) reads the followees' recent statuses from SQL at
// request time: no write amplification, nothing to rebuild, cost paid on
// every read. It is the reference the others are tested against.
//
// Push (fan-out on write, as Mastodon's FeedManager) writes a committed
// status's ID into the cached home timeline of every account it reaches
// (social computes that audience: the author, the followers, except those
// hiding the booster's reblogs and, for a direct status, those not
// mentioned). A read takes its page of IDs from the cache and loads those
// statuses by ID.
//
// Hybrid is push, except that authors with --celebrity-threshold followers
// or more are not fanned out: a reader's page merges its celebrity
// followees' statuses from SQL (one indexed query over those few authors),
// as Twitter does. An author seen over the threshold stays a celebrity for
// the process's life, so its statuses are never split between "pushed"
// and "merged" in a way a read could miss; a restart rebuilds every cache
// from SQL anyway. The model: a post costs O(followers) cache writes in
// push, O(1) for a celebrity in hybrid; a read costs one cache range plus
// one query per celebrity batch. Social's audience lists at most 10,000
// followers, so push caps fan-out there too (beyond it, use hybrid).
//
// Statuses carrying a followed hashtag are merged at read time by every
// strategy (pull's query), so a tag follow needs no backfill.
//
// # Cached timelines
//
// A timeline store (Timelines; Memory in process) keeps per home the
// newest IDs, at most --timeline-cap, and for the in-process store all
// timelines within --timeline-memory (least recently read dropped). The
// invariant: a cached timeline holds every candidate at or above its
// oldest entry (all, when the SQL rebuild found fewer than the cap). Hence
// a page is served from the cache only when it lies inside that window; an
// older page (an old max_id) is read from SQL, as pull (Cold). A missing
// timeline (new process, eviction, a relationship change) is rebuilt from
// SQL on its next read (Miss): one rebuild per timeline at a time; writes
// made while it reads SQL are kept and applied on install, and an
// invalidation meanwhile discards it, so a build never installs a stale
// view.
//
// List timelines are cached the same way (key ListKey): a status is
// written into every list holding its author (not direct ones); each is
// built for a member set (a fingerprint of the list's accounts, which
// social reads on every list read anyway), so adding or removing a member,
// or an unfollow that takes one out, makes the next read rebuild it.
// Social applies the list's replies policy and the visibility rule.
//
// Relationship changes (follow, unfollow, block, mute, follow-request
// accept) drop both accounts' homes: the rebuild backfills a new followee
// and leaves out an unfollowed one. A delete removes the ID from the homes
// it reached; a status missing when loaded is skipped.
//
// With --redis the timelines live in Redis (type Redis), shared by every
// server process: per timeline a sorted set scored by status ID and a meta
// hash, keys hash-tagged by timeline so that each operation is one Lua
// script on one Redis Cluster node; fan-out to many timelines is one
// pipeline. The hybrid celebrity set is a Redis set then, so a process
// that never saw a celebrity post still merges its statuses. A timeline
// not read for --inactive-days expires, and fan-out then skips it
// (Mastodon's inactive users) until its owner's next read rebuilds it. The
// store records the strategy and threshold its timelines were built for
// and flushes them when a process starts or switches with other ones.
//
// If Redis fails, reads fall back to SQL (pull) and a post is still
// acknowledged: its fan-out error keeps its outbox event (package social),
// which the relay delivers again after its lease. The server reports
// itself degraded meanwhile (/readyz answers 200 with "status":"degraded";
// the gauge starling_timeline_store_degraded is 1, from Redis.Ping); a
// Redis that comes back empty misses every timeline, and each is rebuilt
// from SQL on its next read (go/e2e's Redis-loss drill checks all three). A relationship change
// whose invalidation fails may leave a stale candidate in a timeline,
// never a visible one: the visibility rule is applied on every read.
//
// # Decision model
//
// Push trades write work for read work. A post by an author with F
// followers costs F timeline writes (one pipeline to Redis), of which
// only the active readers' count: a timeline nobody read lately is absent
// (in Redis, expired after --inactive-days; in process, evicted least
// recently read first beyond --timeline-memory), and a write to an absent
// timeline is a cheap existence check. A read then costs one cache range.
// Merging at read costs nothing per post and, per read, one indexed query
// over the reader's celebrity followees. Per unit of time, pushing an
// author costs p·A writes (p its posts, A its active followers) and
// merging it r·A merged reads (r reads per active follower): push wins
// when p·w < r·m (w a write's cost, m a merged read's share), whatever F,
// so an author who posts rarely relative to how often its followers read
// belongs in push. What bounds F is the post's synchronous latency (F
// writes before the acknowledgement) and its write burst; hence Starling
// decides per author by follower count alone (--celebrity-threshold):
// reader activity enters through the absent timelines above; the author's
// post rate does not enter the decision (not implemented). `starling-bench feed` measures both
// sides per strategy and store, and its threshold sweep (feed-crossover,
// cost per post including --reads-per-post reads) shows where hybrid wins;
// bench/RESULTS.md and bench/charts/feed-crossover.svg hold the figures.
//
// Cached IDs are candidates only: social filters every page through its
// one visibility rule (canView/filterVisible), as it does pull's.
//
// A reblog is a status row of its booster (store.Status.ReblogOfID), so a
// followee's reblogs reach home as its posts do; the original's audience is
// checked by social when the page is filtered.
package feed
