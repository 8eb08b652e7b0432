package feed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/store"
)

// Redis is the timeline store shared by server processes (--redis): per
// timeline a list of status IDs, newest first, a meta hash (built
// for which tag, complete or not) and, while a rebuild runs, its
// generation and the writes made meanwhile. A timeline's keys share one
// hash tag ({h<id>} or {l<id>}), so they sit in one Redis Cluster slot and
// each operation is one Lua script on one node; writes to many timelines
// go in one pipeline.
//
// A timeline not read for ttl expires: its followers' fan-out then skips
// it, and it is rebuilt from SQL on its next read (Mastodon's inactive
// users).
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
	cap    int
	ttl    time.Duration

	// mode is what the timelines must be built for (strategy and
	// threshold); until Redis has confirmed it (adopted), every operation
	// first tries to, and fails as if Redis were down if it cannot.
	mu      sync.Mutex
	mode    string
	adopted atomic.Bool
}

// NewRedis returns a Redis timeline store under key prefix.
func NewRedis(rdb redis.UniversalClient, prefix string, capPerTimeline int, ttl time.Duration) *Redis {
	return &Redis{rdb: rdb, prefix: prefix, cap: capPerTimeline, ttl: ttl}
}

// Cap is the most IDs one timeline keeps.
func (r *Redis) Cap() int { return r.cap }

// keys are a timeline's keys, in the order the scripts take them.
func (r *Redis) keys(k Key) []string {
	base := r.prefix + "tl:{" + string(k.Kind) + strconv.FormatInt(k.ID, 10) + "}:"
	return []string{base + "ids", base + "meta", base + "build", base + "badd", base + "brem", base + "gen"}
}

// A timeline's IDs are a Redis list, newest first, ending in the member
// "0" while the timeline is complete: every candidate there is. Its last
// element thus answers in one command whether the timeline exists (none:
// absent), is complete ("0") and, if not, which ID is its oldest.
// Trimming past the cap keeps the newest elements, so a complete timeline
// that outgrows its cap loses the marker and becomes incomplete by the
// trim itself. The meta hash keeps the tag the timeline was built for
// (page reads check it). While a rebuild runs, the list holds only the
// member "b": a fan-out's one LINDEX then tells an absent timeline
// (skipped) from one being built (its writes kept for the install), where
// a second command (EXISTS of the build key) used to ask for every absent
// one, and most of a fan-out's targets are absent where readers are few
// (two thirds on the power-law graph).
//
// A list, not a sorted set scored by ID: a new status is almost always
// newer than every ID of the timelines it goes to, and a list takes it at
// its head in O(1), where a small sorted set (a listpack) scans all its
// members for a duplicate and again for the position on every insert.
// In a replay of a fan-out of the github graph's shape (37,700 timelines
// of ~20 IDs, 108 per status) Redis spent 1.4–1.6 µs of CPU per insert
// with lists against 2.1–2.5 µs with sorted sets (three alternating runs
// each); in starling-bench feed on that graph, fan-out went from 45–55%
// to 75–90% of the raw ZADD rate (push), 40–46% to 54–69% (hybrid). The
// rare status older than a timeline's head (a redelivery, two fan-outs
// crossing) takes the ordered insert below; pages find their bounds by
// binary search (LINDEX is cheap on a list this short).

// listLib holds the helpers the scripts share. IDs compare as decimal
// strings (tonumber would round them to 53 bits); "0", the marker, is
// older than every ID. Every argument passed to redis.call is a string:
// Redis formats a Lua number with sprintf on each call.
const listLib = `
local call = redis.call
local building = 'b'
local function older(a, b) return #a < #b or (#a == #b and a < b) end

-- index of the first element of list key (length n) older than bound, or
-- at or below it when inclusive; n if there is none.
local function firstBelow(key, n, bound, inclusive)
  local lo, hi = 0, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local e = call('LINDEX', key, tostring(mid))
    if older(e, bound) or (inclusive and e == bound) then hi = mid else lo = mid + 1 end
  end
  return lo
end
`

// addScript inserts ARGV[1] into many timelines, given by their hash tags
// ("h<id>" or "l<id>", space-separated in ARGV[4]) under the key prefix
// ARGV[3]:
// into each present one (unless it is older than the oldest kept of an
// incomplete one), trimmed to ARGV[2], or keeps it for a build under way;
// it returns how many timelines were present or being built (the others
// are inactive: rebuilt on their owner's next read). KEYS[1] is the first
// timeline's ID list: it routes the call on a cluster, where every
// timeline of one call shares its slot (Redis.Add groups them); the
// script names the other keys itself, so a timeline costs its tag on the
// wire (a dozen bytes), not four key names, and the client allocates
// nothing per timeline.
//
// One call per batch of timelines rather than per timeline: the per-call
// cost (parsing, dispatch, Lua entry) is paid once per batch, and a
// present timeline costs two commands (LINDEX, LPUSH): it is trimmed back
// to the cap only by the statuses whose ID ends in 0, so it holds up to
// about ten IDs over the cap (all of them candidates: pages read them as
// any other).
var addScript = redis.NewScript(listLib + `
local id = ARGV[1]
local cap = tonumber(ARGV[2])
local prefix = ARGV[3]
local trimming = string.byte(id, -1) == 48
-- trim keeps cap IDs (and the marker when exactly cap are left).
local function trim(key)
  local n = call('LLEN', key)
  if n > cap + 1 or (n == cap + 1 and call('LINDEX', key, '-1') ~= '0') then
    call('LTRIM', key, '0', tostring(cap - 1))
  end
end
-- insert puts id into the present timeline key, whose first element is
-- head, in order: unless it is there already or older than an incomplete
-- timeline's oldest (not cached there). An ID a little older than the head
-- (two fan-outs crossing) is placed among the next few elements with one
-- read; only an older one searches the whole list.
local function insert(key, head)
  if head == '0' or older(head, id) then
    call('LPUSH', key, id)
    return
  end
  if head == id then return end
  local near = call('LRANGE', key, '1', '8')
  for _, e in ipairs(near) do
    if e == id then return end
    if e == '0' or older(e, id) then
      call('LINSERT', key, 'BEFORE', e, id)
      return
    end
  end
  if #near < 8 then return end -- the whole list is newer than id
  local tail = call('LINDEX', key, '-1')
  if tail ~= '0' and older(id, tail) then return end
  local pivot = call('LINDEX', key, tostring(firstBelow(key, call('LLEN', key), id, true)))
  if pivot ~= id then call('LINSERT', key, 'BEFORE', pivot, id) end
end
local written = 0
for tag in string.gmatch(ARGV[4], '%S+') do
  local ids = prefix .. tag .. '}:ids'
  local head = call('LINDEX', ids, '0')
  if head == building then
    call('ZADD', prefix .. tag .. '}:badd', id, id)
    written = written + 1
  elseif head then
    insert(ids, head)
    if trimming then trim(ids) end
    written = written + 1
  end
end
return written`)

// removeScript deletes ARGV[1] from a present timeline (the timeline
// itself when that leaves an incomplete one empty: it is rebuilt), or
// records the removal for a build under way.
var removeScript = redis.NewScript(listLib + `
local head = call('LINDEX', KEYS[1], '0')
if head == building then
  call('ZADD', KEYS[5], ARGV[1], ARGV[1])
elseif head then
  call('LREM', KEYS[1], '0', ARGV[1])
  if call('EXISTS', KEYS[1]) == 0 then call('DEL', KEYS[2]) end
end
return 0`)

// beginScript starts a build: a new generation (the counter outlives
// builds, so an old build can never match a new one), and the list marked
// as being built in place of what it held (a list built for other
// members): from now on writes go to the build.
var beginScript = redis.NewScript(listLib + `
local gen = call('INCR', KEYS[6])
call('EXPIRE', KEYS[6], ARGV[1])
call('SET', KEYS[3], gen, 'EX', ARGV[1])
call('DEL', KEYS[1], KEYS[2], KEYS[4], KEYS[5])
call('RPUSH', KEYS[1], building)
call('EXPIRE', KEYS[1], ARGV[1])
return gen`)

// installScript installs a build if it is still the current one:
// ARGV = gen, tag, complete (1/0), cap, ttl, ids... (from SQL, in any
// order). The writes made while the build ran (the sorted sets badd and
// brem) are merged in: an add older than an incomplete build's oldest is
// not cached there, as in addScript.
var installScript = redis.NewScript(listLib + `
if call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
call('DEL', KEYS[1], KEYS[2])
local complete = ARGV[3] == '1'
local cap = tonumber(ARGV[4])
local ids, seen, sorted, oldest = {}, {}, true, nil
for i = 6, #ARGV do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    if #ids > 0 and not older(id, ids[#ids]) then sorted = false end
    if oldest == nil or older(id, oldest) then oldest = id end
    ids[#ids + 1] = id
  end
end
for _, id in ipairs(call('ZRANGE', KEYS[4], '0', '-1')) do
  if not seen[id] and (complete or (oldest ~= nil and not older(id, oldest))) then
    seen[id] = true
    sorted = false
    ids[#ids + 1] = id
  end
end
if not sorted then table.sort(ids, function(a, b) return older(b, a) end) end
local removed = {}
for _, id in ipairs(call('ZRANGE', KEYS[5], '0', '-1')) do removed[id] = true end
local kept = {}
for _, id in ipairs(ids) do
  if not removed[id] then kept[#kept + 1] = id end
end
if #kept > cap then
  for i = #kept, cap + 1, -1 do kept[i] = nil end
  complete = false
end
if complete then kept[#kept + 1] = '0' end
for i = 1, #kept, 1000 do call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
call('HSET', KEYS[2], 'tag', ARGV[2])
call('EXPIRE', KEYS[1], ARGV[5])
call('EXPIRE', KEYS[2], ARGV[5])
call('DEL', KEYS[3], KEYS[4], KEYS[5])
return 1`)

// pageScript reads a page: ARGV = tag, hi (an ID, or "" for none), lo (an
// ID, at least "0": the marker is never read), limit, "min" for a min_id
// page, ttl; both bounds exclusive. It answers {0} when the timeline is
// missing (or left empty and incomplete) or built for another tag, else
// {1, complete, oldest, ids}, ids newest first (for a min_id page the ones
// closest above lo), and keeps the timeline alive.
var pageScript = redis.NewScript(listLib + `
if call('HGET', KEYS[2], 'tag') ~= ARGV[1] then return {0} end
local key, hi, lo, limit = KEYS[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local last = call('LINDEX', key, '-1')
if last == false or last == building then return {0} end
local complete, oldest = '0', last
if last == '0' then complete = '1' end
local n
local from = 0
if hi ~= '' then
  n = call('LLEN', key)
  from = firstBelow(key, n, hi, false)
end
local ids = {}
if ARGV[5] == 'min' then
  n = n or call('LLEN', key)
  local to = firstBelow(key, n, lo, true)
  if to > from and limit > 0 then ids = call('LRANGE', key, tostring(math.max(from, to - limit)), tostring(to - 1)) end
elseif limit > 0 then
  ids = call('LRANGE', key, tostring(from), tostring(from + limit - 1))
  for i = 1, #ids do
    if not older(lo, ids[i]) then
      for j = #ids, i, -1 do ids[j] = nil end
      break
    end
  end
end
call('EXPIRE', key, ARGV[6])
call('EXPIRE', KEYS[2], ARGV[6])
return {1, complete, oldest, ids}`)

// scripts are loaded on every node before use, so pipelines can EVALSHA.
var scripts = []*redis.Script{addScript, removeScript, beginScript, installScript, pageScript}

// Load puts the scripts into Redis (every master of a cluster).
func (r *Redis) Load(ctx context.Context) error {
	load := func(ctx context.Context, c *redis.Client) error {
		for _, s := range scripts {
			if err := s.Load(ctx, c).Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := r.forEachNode(ctx, load); err != nil {
		return fmt.Errorf("feed: load Redis scripts: %w", err)
	}
	return nil
}

// forEachNode runs fn on the Redis, or on every master of a cluster.
func (r *Redis) forEachNode(ctx context.Context, fn func(context.Context, *redis.Client) error) error {
	switch c := r.rdb.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, fn)
	case *redis.Client:
		return fn(ctx, c)
	}
	return fmt.Errorf("feed: unsupported Redis client %T", r.rdb)
}

func (r *Redis) ttlSeconds() string { return strconv.Itoa(max(1, int(r.ttl/time.Second))) }

// run runs a script, loading it first if Redis lost it (a restart).
func run(ctx context.Context, c redis.Scripter, s *redis.Script, keys []string, args ...any) *redis.Cmd {
	return s.Run(ctx, c, keys, args...)
}

// pipelined runs one script per key in one pipeline.
func (r *Redis) pipelined(ctx context.Context, s *redis.Script, ks []Key, args ...any) error {
	if len(ks) == 0 {
		return nil
	}
	if err := r.ready(ctx); err != nil {
		return err
	}
	exec := func() error {
		_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range ks {
				s.EvalSha(ctx, p, r.keys(k), args...)
			}
			return nil
		})
		return err
	}
	err := exec()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err = r.Load(ctx); err == nil {
			err = exec()
		}
	}
	return err
}

// Remove deletes id from each of keys' timelines, in one pipeline.
func (r *Redis) Remove(ctx context.Context, keys []Key, id int64) error {
	if err := r.pipelined(ctx, removeScript, keys, id); err != nil {
		return fmt.Errorf("feed: redis remove %d from %d timelines: %w", id, len(keys), err)
	}
	return nil
}

// Invalidate drops keys' timelines and builds.
func (r *Redis) Invalidate(ctx context.Context, keys ...Key) error {
	if err := r.ready(ctx); err != nil {
		return err
	}
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, r.keys(k)[:5]...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("feed: redis invalidate %d timelines: %w", len(keys), err)
	}
	return nil
}

// BeginBuild starts a build of k.
func (r *Redis) BeginBuild(ctx context.Context, k Key) (uint64, error) {
	if err := r.ready(ctx); err != nil {
		return 0, err
	}
	gen, err := run(ctx, r.rdb, beginScript, r.keys(k), r.ttlSeconds()).Uint64()
	if err != nil {
		return 0, fmt.Errorf("feed: redis begin build: %w", err)
	}
	return gen, nil
}

// InstallBuild installs a build unless another replaced or an
// invalidation dropped it.
func (r *Redis) InstallBuild(ctx context.Context, k Key, gen, tag uint64, ids []int64, complete bool) error {
	args := make([]any, 0, 5+len(ids))
	c := "0"
	if complete {
		c = "1"
	}
	args = append(args, gen, strconv.FormatUint(tag, 10), c, r.cap, r.ttlSeconds())
	for _, id := range ids {
		args = append(args, id)
	}
	if err := run(ctx, r.rdb, installScript, r.keys(k), args...).Err(); err != nil {
		return fmt.Errorf("feed: redis install build: %w", err)
	}
	return nil
}

// Page reads k's page; see Memory.Page.
func (r *Redis) Page(ctx context.Context, k Key, tag uint64, page store.Page) ([]int64, PageState, error) {
	if err := r.ready(ctx); err != nil {
		return nil, Miss, err
	}
	lo, hi := pageBounds(page)
	hiArg, mode := "", "max"
	if hi != 0 {
		hiArg = strconv.FormatInt(hi, 10)
	}
	if page.MinID != 0 {
		mode = "min"
	}
	res, err := run(ctx, r.rdb, pageScript, r.keys(k), strconv.FormatUint(tag, 10), hiArg,
		strconv.FormatInt(lo, 10), strconv.Itoa(page.Limit), mode, r.ttlSeconds()).Slice()
	if redis.HasErrorPrefix(err, "WRONGTYPE") {
		// A timeline of another layout, written by a process of an older
		// version sharing this Redis: dropped, it is rebuilt as a miss.
		return nil, Miss, r.Invalidate(ctx, k)
	}
	if err != nil {
		return nil, Miss, fmt.Errorf("feed: redis page: %w", err)
	}
	if len(res) < 4 {
		return nil, Miss, nil
	}
	complete := res[1] == "1"
	oldest, err := parseID(res[2])
	if err != nil {
		return nil, Miss, err
	}
	raw, _ := res[3].([]any)
	ids := make([]int64, 0, len(raw))
	for _, v := range raw {
		id, err := parseID(v)
		if err != nil {
			return nil, Miss, err
		}
		ids = append(ids, id)
	}
	ids, ok := decidePage(ids, complete, oldest, page)
	if !ok {
		return nil, Cold, nil
	}
	return ids, Hit, nil
}

// Sizes returns how many IDs each of keys' timelines holds (0 when it is
// absent; the markers of completeness and of a build are not IDs), in one
// pipeline: for the bench and tests, which must not depend on the keys'
// layout.
func (r *Redis) Sizes(ctx context.Context, keys []Key) ([]int64, error) {
	lens := make([]*redis.IntCmd, len(keys))
	lasts := make([]*redis.StringCmd, len(keys))
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			ids := r.keys(k)[0]
			lens[i], lasts[i] = p.LLen(ctx, ids), p.LIndex(ctx, ids, -1)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("feed: redis sizes of %d timelines: %w", len(keys), err)
	}
	sizes := make([]int64, len(keys))
	for i := range keys {
		if sizes[i] = lens[i].Val(); lasts[i].Val() == "0" || lasts[i].Val() == "b" {
			sizes[i]--
		}
	}
	return sizes, nil
}

// MarkCelebrity records accountID as an author hybrid does not fan out,
// for every process sharing this Redis.
func (r *Redis) MarkCelebrity(ctx context.Context, accountID int64) error {
	if err := r.ready(ctx); err != nil {
		return err
	}
	return r.rdb.SAdd(ctx, r.prefix+"celebrities", accountID).Err()
}

// Celebrities returns which of ids are marked, in one round trip.
func (r *Redis) Celebrities(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	marked, err := r.rdb.SMIsMember(ctx, r.prefix+"celebrities", members...).Result()
	if err != nil {
		return nil, fmt.Errorf("feed: redis celebrities: %w", err)
	}
	var out []int64
	for i, m := range marked {
		if m {
			out = append(out, ids[i])
		}
	}
	return out, nil
}

// Adopt makes mode (strategy and threshold) the one the Redis timelines
// are built for, flushing them first if they were built for another. If
// Redis cannot be reached, the store stays unusable (its operations fail,
// so reads fall back to SQL and fan-out to the outbox) until a later
// operation adopts the mode.
func (r *Redis) Adopt(ctx context.Context, mode string) error {
	r.mu.Lock()
	r.mode = mode
	r.adopted.Store(false)
	r.mu.Unlock()
	return r.ready(ctx)
}

// ready adopts the mode if that has not happened yet.
func (r *Redis) ready(ctx context.Context) error {
	if r.adopted.Load() {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.adopted.Load() {
		return nil
	}
	want := layout + r.mode
	old, err := r.rdb.GetSet(ctx, r.prefix+"mode", want).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("feed: redis mode: %w", err)
	}
	if old != want {
		if err := r.Flush(ctx); err != nil {
			return err
		}
	}
	r.adopted.Store(true)
	return nil
}

// layout names the keys' shapes: ID lists whose builds are marked in the
// list ("lists-b:"; "lists:" kept builds in their key alone, sorted sets
// came before). Timelines of another layout are flushed, as for a mode
// change: a build begun by an older process has no marker, so this
// version's fan-out would skip it rather than keep its writes. A sorted
// set that a process of the oldest versions writes afterwards (a rolling
// upgrade) fails its writes (the fan-out drops it) and reads as a miss
// (Page drops it).
const layout = "lists-b:"

// Flush drops every timeline under the prefix (a strategy switch): each
// is rebuilt from SQL on its next read. The celebrity set stays.
func (r *Redis) Flush(ctx context.Context) error {
	del := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, r.prefix+"tl:*", 500).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if err := r.forEachNode(ctx, del); err != nil {
		return fmt.Errorf("feed: redis flush: %w", err)
	}
	return nil
}

func parseID(v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, errors.New("feed: redis page: not a string")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("feed: redis page: %w", err)
	}
	return id, nil
}

// Ping reports whether Redis answers. While it does not, cached reads
// fall back to SQL and fan-outs wait in the outbox: the server reports
// itself degraded (metric starling_timeline_store_degraded).
func (r *Redis) Ping(ctx context.Context) error { return r.rdb.Ping(ctx).Err() }
