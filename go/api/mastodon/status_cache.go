package mastodon

import (
	"container/list"
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// DefaultStatusCacheBytes is the rendered-status cache's memory budget
// when Options leaves it zero: about 30,000 rendered statuses.
const DefaultStatusCacheBytes = 64 << 20

// statusCache keeps statuses rendered to JSON, least recently used first
// out, within a byte budget. An entry holds what every viewer sees of a
// status (statusEntity: no reblogged original, no per-viewer fields); the
// page renderer splices the original and the viewer's flags in per request
// (appendStatusJSON).
//
// Entries are never invalidated by the write paths: each is stored with a
// fingerprint of everything it was rendered from (the status row with its
// counts, the author's row with its counts, images and fields, mentions,
// tags and media), and a read
// uses it only when the rows it has just loaded give the same fingerprint.
// A read path therefore always renders what the database holds now: an
// edit, a new count, a renamed author or a deleted status (which no read
// path returns) can never be served stale, whichever process wrote it.
// What the cache saves is the conversion and the JSON encoding, not the
// queries; the visibility rule runs before rendering, unchanged.
//
// Reads share the lock (a page reads twenty entries); a read marks its
// entry instead of moving it in the LRU list, and eviction gives a marked
// entry a second chance, moving it to the front unmarked.
//
// The cache is split into shards by status ID, each with its own lock and
// a share of the budget. Right after a restart every page renders and
// stores its statuses: with one lock, writers queued behind each other and
// readers behind them (5 s of goroutine time blocked in 2 s of the github
// graph's cold home reads).
type statusCache struct {
	shards []statusShard
	seed   maphash.Seed
}

// statusShard is one shard, least recently used first out within budget.
type statusShard struct {
	mu      sync.RWMutex
	budget  int64
	size    int64
	entries map[int64]*list.Element // of *renderedStatus, by status ID
	lru     list.List               // front: most recently used
	_       [64]byte                // keeps neighbouring shards' locks off one cache line
}

// renderedStatus is one cache entry.
type renderedStatus struct {
	id          int64
	fingerprint uint64
	json        []byte      // a JSON object containing reblogNull
	reblogAt    int         // offset of reblogNull in json
	read        atomic.Bool // read since it last moved to the LRU front
}

// reblogNull is how statusEntity's JSON leaves the original out. It cannot
// occur inside a JSON string (a quote there is always escaped), so its
// first occurrence is the field itself.
const reblogNull = `"reblog":null`

// entryOverhead approximates the bytes an entry costs beyond its JSON (the
// struct, its list element and its map slot).
const entryOverhead = 160

// Shards: at most maxStatusShards, and none with less than minShardBytes
// of budget, so a small cache stays one LRU (and a status of a few
// kilobytes still fits its shard).
const (
	maxStatusShards = 16
	minShardBytes   = 1 << 20
)

func newStatusCache(budget int64) *statusCache {
	if budget <= 0 {
		return nil
	}
	n := int(min(maxStatusShards, max(1, budget/minShardBytes)))
	c := &statusCache{shards: make([]statusShard, n), seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].budget = budget / int64(n)
		c.shards[i].entries = map[int64]*list.Element{}
	}
	return c
}

// shard is id's shard. Status IDs are snowflakes whose low bits are a
// per-millisecond sequence, so they are mixed before taking the shard.
func (c *statusCache) shard(id int64) *statusShard {
	h := uint64(id) * 0x9e3779b97f4a7c15
	return &c.shards[(h>>32)%uint64(len(c.shards))]
}

// get returns the entry for id if it was rendered from the same rows.
func (c *statusCache) get(id int64, fingerprint uint64) *renderedStatus {
	if c == nil {
		return nil
	}
	sh := c.shard(id)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	el, ok := sh.entries[id]
	if !ok {
		return nil
	}
	r := el.Value.(*renderedStatus)
	if r.fingerprint != fingerprint {
		return nil
	}
	r.read.Store(true)
	return r
}

// put stores r, replacing an older rendering of the same status, and
// evicts the least recently used entries of its shard beyond the shard's
// budget.
func (c *statusCache) put(r *renderedStatus) {
	if c == nil {
		return
	}
	sh := c.shard(r.id)
	cost := int64(len(r.json)) + entryOverhead
	if cost > sh.budget {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if el, ok := sh.entries[r.id]; ok {
		old := el.Value.(*renderedStatus)
		sh.size -= int64(len(old.json)) + entryOverhead
		el.Value = r
		sh.lru.MoveToFront(el)
	} else {
		sh.entries[r.id] = sh.lru.PushFront(r)
	}
	sh.size += cost
	for sh.size > sh.budget {
		el := sh.lru.Back()
		old := el.Value.(*renderedStatus)
		// A read entry gets its second chance; each pass unmarks one, so
		// the loop ends. r is never the one dropped: when every other
		// entry was read since it last moved, they all pass r.
		if old == r || old.read.Swap(false) {
			sh.lru.MoveToFront(el)
			continue
		}
		sh.lru.Remove(el)
		delete(sh.entries, old.id)
		sh.size -= int64(len(old.json)) + entryOverhead
	}
}

// len and bytes report the cache's occupancy (tests).
func (c *statusCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.entries)
		sh.mu.RUnlock()
	}
	return n
}

func (c *statusCache) bytes() int64 {
	var n int64
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += sh.size
		sh.mu.RUnlock()
	}
	return n
}

// fingerprint hashes every input of statusEntity for v: the status row
// but its embedding and source text (neither is rendered), the author's
// row but its password hash, and the mentioned accounts and tags.
// TestStatusFingerprintCoversRenderedFields checks, field by field, that
// nothing statusEntity renders is left out. The inputs are appended to one
// buffer (on the stack for most statuses) and hashed at once: it runs for
// every status of every page.
func (c *statusCache) fingerprint(v *social.StatusView) uint64 {
	var arr [1024]byte
	b := arr[:0]
	s := v.Status
	edited := int64(math.MinInt64)
	if s.EditedAt != nil {
		edited = s.EditedAt.UnixNano()
	}
	for _, n := range [...]int64{s.ID, s.AccountID, s.InReplyToID, s.InReplyToAccountID, s.ReblogOfID,
		s.CreatedAt.UnixNano(), s.RepliesCount, s.ReblogsCount, s.FavouritesCount, edited} {
		b = appendInt(b, n)
	}
	for _, str := range [...]string{s.Content, s.SpoilerText, string(s.Visibility), s.Language} {
		b = appendString(b, str)
	}
	b = appendBool(b, s.Sensitive)
	b = appendAccount(b, v.Author)
	b = appendInt(b, int64(len(v.Mentions)))
	for _, m := range v.Mentions {
		b = appendInt(b, m.ID)
		b = appendString(b, m.Username)
	}
	b = appendInt(b, int64(len(v.Tags)))
	for _, t := range v.Tags {
		b = appendString(b, t)
	}
	// Attached media do not change, but their rows are what is rendered.
	b = appendInt(b, int64(len(v.Media)))
	for _, m := range v.Media {
		b = appendInt(b, m.ID)
		b = appendString(b, m.Description)
		b = appendString(b, m.FileKey)
		b = appendInt(b, int64(math.Float64bits(m.FocusX)))
		b = appendInt(b, int64(math.Float64bits(m.FocusY)))
	}
	return maphash.Bytes(c.seed, b)
}

func appendAccount(b []byte, a *store.Account) []byte {
	last := int64(math.MinInt64)
	if a.LastStatusAt != nil {
		last = a.LastStatusAt.UnixNano()
	}
	for _, n := range [...]int64{a.ID, a.CreatedAt.UnixNano(), a.FollowersCount, a.FollowingCount, a.StatusesCount, last} {
		b = appendInt(b, n)
	}
	for _, str := range [...]string{a.Username, a.DisplayName, a.Note, a.AvatarKey, a.HeaderKey} {
		b = appendString(b, str)
	}
	b = appendInt(b, int64(len(a.Fields)))
	for _, f := range a.Fields {
		b = appendString(b, f.Name)
		b = appendString(b, f.Value)
	}
	b = appendBool(b, a.Locked)
	b = appendBool(b, a.Bot)
	b = appendBool(b, a.Discoverable)
	b = appendBool(b, a.SuspendedAt != nil)   // Account.suspended
	return appendBool(b, a.SilencedAt != nil) // Account.limited
}

func appendInt(b []byte, n int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(n)) }

// appendString appends s with its length, so ("ab","c") and ("a","bc")
// hash apart.
func appendString(b []byte, s string) []byte { return append(appendInt(b, int64(len(s))), s...) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}
