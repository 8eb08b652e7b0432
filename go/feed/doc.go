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
// Hybrid is push, except that some authors (celebrities) are not fanned
// out: a reader's page merges its celebrity followees' statuses, as
// Twitter does, from each celebrity's own cached author timeline (written
// by its fan-out, rebuilt from SQL when missing; authors.go), or from SQL
// (one indexed query over those few authors) for a page past one's window. An author
// marked a celebrity stays one for the process's life (and in Redis for
// every process), so its statuses are never split between "pushed" and
// "merged" in a way a read could miss; a restart rebuilds every cache
// from SQL anyway.
//
// # The decision model (decide.go)
//
// A post costs O(followers) timeline writes in push, O(1) for a
// celebrity; a read costs one cache range plus one range per celebrity
// followee. Which is cheaper depends on more than the
// follower count F, so hybrid weighs three things per status:
//
//   - F ≥ --celebrity-threshold: merged. This bounds one post's fan-out,
//     hence how long its followers wait for it (delivery runs after the
//     acknowledgement, package social), whatever the rates.
//   - The author's post rate R (statuses in the last hour, counted by
//     this process) and reader activity A (the share of its audience's
//     timelines that were live, i.e. read within --inactive-days or not
//     evicted, at its last fan-out). Pushing costs R·F·(A + s·(1−A))
//     writes an hour (s = 1/4: a write to an inactive timeline is a
//     check the store skips); merging costs F·A·Q reads an hour that
//     each merge one more author (Q ≈ 6 home reads per live reader an
//     hour, a merge about one write's cost). F cancels: an author is
//     merged when R·(A + s·(1−A))/A ≥ 6, that is when it posts more
//     than about six times an hour to live readers, or fewer to mostly
//     inactive ones, provided F ≥ threshold/10 (each celebrity adds to
//     every follower's reads, so small authors are always pushed).
//   - F ≥ PushLimit (10,000): merged, in push too. Social lists at most
//     that many followers of a status; rather than leave the others
//     without it, push merges such an author at read as hybrid does.
//
// The bench (starling-bench feed) shows where the model wins: the most
// followed authors of the github graph sit just under the threshold and
// post in bursts; after a few posts they are merged, and their later
// posts cost one write instead of ~9,000.
//
// # Delivery
//
// StatusAdded runs after the post is acknowledged (social's delivery
// workers; see social/outbox.go): the acknowledgement waits for the
// transaction only (status and outbox event), except for authors with at
// most --inline-audience followers, whose (small) fan-out runs before the
// answer so that they and their followers read it at once. The outbox
// keeps the event until delivery succeeded; deliveries may arrive out of
// order, and every store applies them idempotently by ID.
//
// Statuses carrying a followed hashtag are merged at read time by every
// strategy (pull's query), so a tag follow needs no backfill.
//
// # Cached timelines
//
// A timeline store (Timelines; Memory in process) keeps per home the
// newest IDs, at most --timeline-cap, and for the in-process store all
// timelines within --timeline-memory (least recently read dropped,
// approximately: second-chance eviction, see Memory). The invariant: a
// cached timeline holds every candidate at or above its
// oldest entry (all, when the SQL rebuild found fewer than the cap). Hence
// a page is served from the cache only when it lies inside that window; an
// older page (an old max_id) is read from SQL, as pull (Cold). A missing
// timeline (new process, eviction, a relationship change) is rebuilt from
// SQL on its next read (Miss), by pull's queries asking for IDs alone
// (store.ListStatusIDs: whole rows made the rebuilds after a restart the
// cold tail): one rebuild per timeline at a time; writes made while it
// reads SQL are kept and applied on install, and an invalidation
// meanwhile discards it, so a build never installs a stale view.
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
// server process: per timeline a list of status IDs, newest first (ending,
// while the timeline is complete, in a marker "0" older than every ID),
// and a meta hash (the tag it was built for), keys hash-tagged by timeline
// so that each operation is one Lua script on one Redis Cluster node. A
// fan-out is one pipeline of script calls, each over up to 64 timelines
// of one cluster slot, naming each timeline by its hash tag: two
// commands per live timeline (LINDEX of the head, LPUSH; a status older
// than the head is inserted in order, and the trim back to the cap runs
// for one status in ten), one per absent one (the LINDEX; a timeline
// being rebuilt holds only a marker "b", which sends the write to the
// build). The hybrid celebrity set is a Redis
// set then, so a process that never saw a celebrity post still merges
// its statuses. A timeline not read for --inactive-days expires, and
// fan-out then skips it (Mastodon's inactive users) until its owner's
// next read rebuilds it. The store records the strategy and threshold its
// timelines were built for and flushes them when a process starts or
// switches with other ones.
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
// # Measuring the trade-off
//
// `starling-bench feed` measures both sides per strategy and store (the
// acknowledgement, the delivery to every timeline, reads), and its
// threshold sweep (feed-crossover, cost per post including
// --reads-per-post reads) shows where hybrid wins; bench/RESULTS.md and
// bench/charts/feed-crossover.svg hold the figures.
//
// Cached IDs are candidates only: social filters every page through its
// one visibility rule (canView/filterVisible), as it does pull's.
//
// A reblog is a status row of its booster (store.Status.ReblogOfID), so a
// followee's reblogs reach home as its posts do; the original's audience is
// checked by social when the page is filtered. A reblog of a status that,
// or another reblog of which, is among the 40 candidates just older is
// left out of the page, by every strategy alike (reblogs.go, after
// Mastodon's FeedManager).
package feed
