package mastodon

import (
	"container/list"
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"

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
type statusCache struct {
	mu      sync.Mutex
	budget  int64
	size    int64
	entries map[int64]*list.Element // of *renderedStatus, by status ID
	lru     list.List               // front: most recently used
	seed    maphash.Seed
}

// renderedStatus is one cache entry.
type renderedStatus struct {
	id          int64
	fingerprint uint64
	json        []byte // a JSON object containing reblogNull
	reblogAt    int    // offset of reblogNull in json
}

// reblogNull is how statusEntity's JSON leaves the original out. It cannot
// occur inside a JSON string (a quote there is always escaped), so its
// first occurrence is the field itself.
const reblogNull = `"reblog":null`

// entryOverhead approximates the bytes an entry costs beyond its JSON (the
// struct, its list element and its map slot).
const entryOverhead = 160

func newStatusCache(budget int64) *statusCache {
	if budget <= 0 {
		return nil
	}
	return &statusCache{budget: budget, entries: map[int64]*list.Element{}, seed: maphash.MakeSeed()}
}

// get returns the entry for id if it was rendered from the same rows.
func (c *statusCache) get(id int64, fingerprint uint64) *renderedStatus {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[id]
	if !ok {
		return nil
	}
	r := el.Value.(*renderedStatus)
	if r.fingerprint != fingerprint {
		return nil
	}
	c.lru.MoveToFront(el)
	return r
}

// put stores r, replacing an older rendering of the same status, and
// evicts the least recently used entries beyond the budget.
func (c *statusCache) put(r *renderedStatus) {
	if c == nil {
		return
	}
	cost := int64(len(r.json)) + entryOverhead
	if cost > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[r.id]; ok {
		old := el.Value.(*renderedStatus)
		c.size -= int64(len(old.json)) + entryOverhead
		el.Value = r
		c.lru.MoveToFront(el)
	} else {
		c.entries[r.id] = c.lru.PushFront(r)
	}
	c.size += cost
	for c.size > c.budget {
		el := c.lru.Back()
		old := el.Value.(*renderedStatus)
		c.lru.Remove(el)
		delete(c.entries, old.id)
		c.size -= int64(len(old.json)) + entryOverhead
	}
}

// len and bytes report the cache's occupancy (tests).
func (c *statusCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *statusCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// fingerprint hashes every input of statusEntity for v: the status row
// but its embedding and source text (neither is rendered), the author's
// row but its password hash, and the mentioned accounts and tags.
// TestStatusFingerprintCoversRenderedFields checks, field by field, that
// nothing statusEntity renders is left out.
func (c *statusCache) fingerprint(v *social.StatusView) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	s := v.Status
	edited := int64(math.MinInt64)
	if s.EditedAt != nil {
		edited = s.EditedAt.UnixNano()
	}
	for _, n := range []int64{s.ID, s.AccountID, s.InReplyToID, s.InReplyToAccountID, s.ReblogOfID,
		s.CreatedAt.UnixNano(), s.RepliesCount, s.ReblogsCount, s.FavouritesCount, edited} {
		writeInt(&h, n)
	}
	for _, str := range []string{s.Content, s.SpoilerText, string(s.Visibility), s.Language} {
		writeString(&h, str)
	}
	writeBool(&h, s.Sensitive)
	writeAccount(&h, v.Author)
	writeInt(&h, int64(len(v.Mentions)))
	for _, m := range v.Mentions {
		writeInt(&h, m.ID)
		writeString(&h, m.Username)
	}
	writeInt(&h, int64(len(v.Tags)))
	for _, t := range v.Tags {
		writeString(&h, t)
	}
	// Attached media do not change, but their rows are what is rendered.
	writeInt(&h, int64(len(v.Media)))
	for _, m := range v.Media {
		writeInt(&h, m.ID)
		writeString(&h, m.Description)
		writeString(&h, m.FileKey)
		writeInt(&h, int64(math.Float64bits(m.FocusX)))
		writeInt(&h, int64(math.Float64bits(m.FocusY)))
	}
	return h.Sum64()
}

func writeAccount(h *maphash.Hash, a *store.Account) {
	last := int64(math.MinInt64)
	if a.LastStatusAt != nil {
		last = a.LastStatusAt.UnixNano()
	}
	for _, n := range []int64{a.ID, a.CreatedAt.UnixNano(), a.FollowersCount, a.FollowingCount, a.StatusesCount, last} {
		writeInt(h, n)
	}
	for _, str := range []string{a.Username, a.DisplayName, a.Note, a.AvatarKey, a.HeaderKey} {
		writeString(h, str)
	}
	writeInt(h, int64(len(a.Fields)))
	for _, f := range a.Fields {
		writeString(h, f.Name)
		writeString(h, f.Value)
	}
	writeBool(h, a.Locked)
	writeBool(h, a.Bot)
	writeBool(h, a.Discoverable)
	writeBool(h, a.SuspendedAt != nil) // Account.suspended
	writeBool(h, a.SilencedAt != nil)  // Account.limited
}

func writeInt(h *maphash.Hash, n int64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	_, _ = h.Write(b[:])
}

// writeString writes s with its length, so ("ab","c") and ("a","bc")
// hash apart.
func writeString(h *maphash.Hash, s string) {
	writeInt(h, int64(len(s)))
	_, _ = h.WriteString(s)
}

func writeBool(h *maphash.Hash, b bool) {
	if b {
		_ = h.WriteByte(1)
	} else {
		_ = h.WriteByte(0)
	}
}
