package feed

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/singleflight"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
)

// PageState says how a timeline store answered a page.
type PageState int

// Page states.
const (
	Miss PageState = iota // no timeline for the key: rebuild it
	Cold                  // the page reaches past the cached window: read SQL
	Hit                   // the IDs returned are the page's
)

// Timelines stores cached timelines: per key, status IDs newest first
// (Memory in process; Redis shared by server processes).
type Timelines interface {
	Cap() int
	// Add writes id into the timelines of keys that are present or being
	// built and returns how many were: the others are inactive.
	Add(ctx context.Context, keys []Key, id int64) (int, error)
	Remove(ctx context.Context, keys []Key, id int64) error
	Invalidate(ctx context.Context, keys ...Key) error
	// Page misses unless k's timeline was built for tag.
	Page(ctx context.Context, k Key, tag uint64, page store.Page) ([]int64, PageState, error)
	// BeginBuild and InstallBuild bracket a rebuild from SQL: writes made
	// between them are applied to what InstallBuild installs, and an
	// Invalidate between them discards the build.
	BeginBuild(ctx context.Context, k Key) (uint64, error)
	InstallBuild(ctx context.Context, k Key, gen, tag uint64, ids []int64, complete bool) error
}

// Celebrities is where hybrid records the authors it no longer fans out.
// Server processes sharing timelines must share it (Redis implements it);
// otherwise Cached keeps its own set in memory.
type Celebrities interface {
	MarkCelebrity(ctx context.Context, accountID int64) error
	// Celebrities returns which of ids are marked.
	Celebrities(ctx context.Context, ids []int64) ([]int64, error)
}

// Cached is the push strategy (threshold 0) and the hybrid one: statuses
// are written into their audience's cached home timelines when committed,
// and a read takes its page of IDs from the cache. In hybrid, authors with
// threshold followers or more (celebrities) are written only into their
// own timeline; a reader's page merges its celebrity followees' statuses
// from SQL. Followed tags are merged at read time by both.
type Cached struct {
	pull      *Pull
	st        Store
	tl        Timelines
	threshold int
	log       *slog.Logger
	rebuilds  singleflight.Group
	counts    *Counters
	model     *fanoutModel
	now       func() time.Time

	shared Celebrities // nil: celebs below
	mu     sync.RWMutex
	celebs map[int64]bool // authors seen at or above threshold; kept for the process's life
}

// NewCached returns a push (threshold 0) or hybrid strategy over tl.
func NewCached(st Store, tl Timelines, threshold int, log *slog.Logger) *Cached {
	if log == nil {
		log = slog.Default()
	}
	c := &Cached{pull: NewPull(st), st: st, tl: tl, threshold: threshold, log: log, celebs: map[int64]bool{},
		counts: &Counters{}, model: newFanoutModel(threshold), now: time.Now}
	c.shared, _ = tl.(Celebrities)
	return c
}

// StatusAdded writes st into the cached homes of its audience, or, for a
// celebrity (hybrid's decision model; in push too past PushLimit), into
// its author's only, and into lists. On a failed write the affected
// timelines are dropped if the store still can, and the error returned,
// so the outbox delivers st again.
func (c *Cached) StatusAdded(ctx context.Context, st *store.Status, home, lists []int64) (err error) {
	ctx, span := tracing.Child(ctx, "feed.fanout", trace.SpanKindInternal, attribute.Int64("status.id", st.ID))
	defer func() {
		if err != nil {
			c.counts.FanoutFailures.Add(1)
		}
		tracing.End(span, err)
	}()
	followers := max(0, len(home)-1)
	now := c.now()
	// A direct status reaches only the accounts it mentions: pushed to
	// them, whoever the author (author timelines hold no direct status).
	celebrity := st.Visibility != store.VisibilityDirect &&
		(c.isCelebrity(st.AccountID) || c.model.celebrity(st.AccountID, followers, now))
	if celebrity {
		// Marked before the status is left out of the followers' homes,
		// so no read can miss it.
		if err := c.markCelebrity(ctx, st.AccountID); err != nil {
			return err
		}
		home = []int64{st.AccountID}
	}
	keys := make([]Key, 0, len(home)+len(lists)+1)
	if celebrity {
		keys = append(keys, AuthorKey(st.AccountID))
	}
	for _, id := range home {
		keys = append(keys, HomeKey(id))
	}
	for _, id := range lists {
		keys = append(keys, ListKey(id))
	}
	span.SetAttributes(attribute.Int("feed.timelines", len(keys)))
	written, err := c.tl.Add(ctx, keys, st.ID)
	if err != nil {
		c.invalidate(ctx, keys)
		return fmt.Errorf("feed: fan-out of %d: %w", st.ID, err)
	}
	if len(home) > 1 {
		c.model.observe(st.AccountID, written, len(keys), now)
	}
	c.counts.FanoutStatuses.Add(1)
	c.counts.FanoutTimelines.Add(int64(len(keys)))
	return nil
}

// Counters are this strategy's counts (a Switch shares its own).
func (c *Cached) Counters() *Counters { return c.counts }

func (c *Cached) isCelebrity(accountID int64) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.celebs[accountID]
}

// markCelebrity records accountID as merged at read, for every process
// sharing the timelines when they are shared.
func (c *Cached) markCelebrity(ctx context.Context, accountID int64) error {
	if c.shared != nil {
		if err := c.shared.MarkCelebrity(ctx, accountID); err != nil {
			return fmt.Errorf("feed: mark celebrity %d: %w", accountID, err)
		}
	}
	c.mu.Lock()
	c.celebs[accountID] = true
	c.mu.Unlock()
	return nil
}

// StatusRemoved removes id from the cached homes it reached.
// A removal that fails leaves a dangling ID at worst: reads skip statuses
// that no longer exist.
func (c *Cached) StatusRemoved(ctx context.Context, id int64, home, lists []int64) error {
	keys := append(HomeKeys(home), listKeys(lists)...)
	authors, err := c.celebrityKeys(ctx, home)
	if err != nil {
		return err
	}
	keys = append(keys, authors...)
	if err := c.tl.Remove(ctx, keys, id); err != nil {
		c.invalidate(ctx, keys)
		return fmt.Errorf("feed: removal of %d: %w", id, err)
	}
	return nil
}

// HomeChanged drops the accounts' cached homes: a follow backfills and an
// unfollow, block or mute removes by the rebuild on their next read.
func (c *Cached) HomeChanged(ctx context.Context, accountIDs ...int64) {
	c.invalidate(ctx, HomeKeys(accountIDs))
}

func (c *Cached) invalidate(ctx context.Context, keys []Key) {
	if err := c.tl.Invalidate(ctx, keys...); err != nil {
		c.log.ErrorContext(ctx, "feed: invalidating timelines failed", "keys", len(keys), "err", err)
	}
}

// Home returns the page from the cached timeline, rebuilt first if
// missing; a page past the cached window, or a timeline store that fails,
// is read from SQL as pull does.
func (c *Cached) Home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return withoutRepeatedReblogs(page, func(page store.Page) ([]*store.Status, error) {
		return c.home(ctx, viewerID, page)
	})
}

// NewestHome returns the page from the cached timeline when there is one;
// a missing timeline is not rebuilt (that reads the whole cap, some 800
// statuses, where the caller wants a few): the page is read from SQL as
// pull does. Not counted among home reads.
func (c *Cached) NewestHome(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	return withoutRepeatedReblogs(page, func(page store.Page) ([]*store.Status, error) {
		ids, state, err := c.tl.Page(ctx, HomeKey(viewerID), 0, page)
		if err != nil || state != Hit {
			return c.pull.home(ctx, viewerID, page)
		}
		return c.homeFrom(ctx, viewerID, ids, page)
	})
}

// home returns the page of viewerID's home candidates (Home before the
// reblog de-duplication, which pull applies the same way).
func (c *Cached) home(ctx context.Context, viewerID int64, page store.Page) ([]*store.Status, error) {
	k := HomeKey(viewerID)
	ids, state, err := c.tl.Page(ctx, k, 0, page)
	first := state
	if err == nil && state == Miss {
		if err = c.rebuild(ctx, k, 0, func(p store.Page) ([]int64, error) {
			return c.pull.followedIDs(ctx, viewerID, p)
		}); err == nil {
			ids, state, err = c.tl.Page(ctx, k, 0, page)
		}
	}
	if err != nil {
		c.log.WarnContext(ctx, "feed: timeline store failed; reading SQL", "account", viewerID, "err", err)
	}
	c.counts.read(first, err == nil && state == Hit)
	if err != nil || state != Hit {
		return c.pull.home(ctx, viewerID, page)
	}
	return c.homeFrom(ctx, viewerID, ids, page)
}

// homeFrom returns the page of viewerID's home candidates whose cached
// part is ids: those statuses, its celebrity followees' and its followed
// tags'.
func (c *Cached) homeFrom(ctx context.Context, viewerID int64, ids []int64, page store.Page) ([]*store.Status, error) {
	sts, err := c.load(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: %w", viewerID, err)
	}
	if sts, err = c.withCelebrities(ctx, viewerID, sts, page); err != nil {
		c.log.WarnContext(ctx, "feed: celebrities unavailable; reading SQL", "account", viewerID, "err", err)
		return c.pull.home(ctx, viewerID, page)
	}
	tagged, err := c.pull.tagged(ctx, viewerID, page)
	if err != nil {
		return nil, err
	}
	return mergePage(sts, tagged, page), nil
}

// List returns the candidates of a list's page (the statuses of members,
// its accounts now), from the cached list timeline, rebuilt when missing
// or built for other members; an old page is read from SQL.
func (c *Cached) List(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error) {
	return withoutRepeatedReblogs(page, func(page store.Page) ([]*store.Status, error) {
		return c.list(ctx, listID, members, page)
	})
}

// list returns the page of a list's candidates (List before the reblog
// de-duplication).
func (c *Cached) list(ctx context.Context, listID int64, members []int64, page store.Page) ([]*store.Status, error) {
	k, tag := ListKey(listID), membersTag(members)
	ids, state, err := c.tl.Page(ctx, k, tag, page)
	first := state
	if err == nil && state == Miss {
		if err = c.rebuild(ctx, k, tag, func(p store.Page) ([]int64, error) {
			return c.pull.listIDs(ctx, listID, members, p)
		}); err == nil {
			ids, state, err = c.tl.Page(ctx, k, tag, page)
		}
	}
	if err != nil {
		c.log.WarnContext(ctx, "feed: timeline store failed; reading SQL", "list", listID, "err", err)
	}
	c.counts.read(first, err == nil && state == Hit)
	if err != nil || state != Hit {
		return c.pull.list(ctx, listID, members, page)
	}
	sts, err := c.load(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("feed: list %d: %w", listID, err)
	}
	return sts, nil
}

// load returns the statuses of ids that still exist, newest first.
func (c *Cached) load(ctx context.Context, ids []int64) ([]*store.Status, error) {
	sts, err := c.st.GetStatusesByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("cached statuses: %w", err)
	}
	slices.SortFunc(sts, func(a, b *store.Status) int { return cmp.Compare(b.ID, a.ID) })
	return sts, nil
}

// membersTag fingerprints a member set (FNV-1a over the sorted IDs), so a
// list timeline built for other members is rebuilt rather than served.
func membersTag(members []int64) uint64 {
	sorted := slices.Sorted(slices.Values(members))
	h := uint64(14695981039346656037)
	for _, id := range sorted {
		for i := range 8 {
			h ^= uint64(byte(id >> (8 * i)))
			h *= 1099511628211
		}
	}
	return h
}

// withCelebrities merges into sts the page of the viewer's celebrity
// followees' statuses (hybrid), from their author timelines (authors.go).
func (c *Cached) withCelebrities(ctx context.Context, viewerID int64, sts []*store.Status, page store.Page) ([]*store.Status, error) {
	c.mu.RLock()
	none := len(c.celebs) == 0
	c.mu.RUnlock()
	if none && c.shared == nil {
		return sts, nil
	}
	followees, err := c.st.GetFollowingIDs(ctx, viewerID)
	if err != nil {
		return nil, fmt.Errorf("feed: home %d: followees: %w", viewerID, err)
	}
	var celebs []int64
	if c.shared != nil {
		if celebs, err = c.shared.Celebrities(ctx, followees); err != nil {
			return nil, fmt.Errorf("feed: home %d: %w", viewerID, err)
		}
	} else {
		c.mu.RLock()
		celebs = slices.DeleteFunc(followees, func(id int64) bool { return !c.celebs[id] })
		c.mu.RUnlock()
	}
	theirs, ok, err := c.celebrityPage(ctx, viewerID, celebs, page)
	if err == nil && !ok {
		theirs, err = c.pull.statusesOf(ctx, viewerID, celebs, page)
	}
	if err != nil {
		return nil, err
	}
	return mergePage(sts, theirs, page), nil
}

// rebuild loads k's cached timeline from SQL by read (pull's queries for
// it, IDs alone): the newest candidates, up to the cap. One rebuild per timeline runs
// at a time in this process; concurrent readers wait for it.
func (c *Cached) rebuild(ctx context.Context, k Key, tag uint64, read func(store.Page) ([]int64, error)) error {
	flight := string(k.Kind) + strconv.FormatInt(k.ID, 10) + ":" + strconv.FormatUint(tag, 16)
	_, err, _ := c.rebuilds.Do(flight, func() (any, error) {
		gen, err := c.tl.BeginBuild(ctx, k)
		if err != nil {
			return nil, err
		}
		limit := c.tl.Cap()
		ids, err := read(store.Page{Limit: limit + 1})
		if err != nil {
			// Drop the build, or the writes it keeps would pile up until
			// the timeline's next read.
			if ierr := c.tl.Invalidate(ctx, k); ierr != nil {
				c.log.WarnContext(ctx, "feed: dropping a failed build", "err", ierr)
			}
			return nil, err
		}
		complete := len(ids) <= limit
		return nil, c.tl.InstallBuild(ctx, k, gen, tag, ids[:min(len(ids), limit)], complete)
	})
	return err
}

func listKeys(ids []int64) []Key {
	keys := make([]Key, len(ids))
	for i, id := range ids {
		keys[i] = ListKey(id)
	}
	return keys
}
