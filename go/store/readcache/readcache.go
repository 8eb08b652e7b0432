package readcache

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/starling-social/starling/go/store"
)

// DefaultEntries bounds each domain: at most two generations of this many
// entries (accounts, statuses, per-viewer flags, ...).
const DefaultEntries = 50_000

// key files a per-viewer entry (flags, pins) under its viewer v.
type key struct{ v, id int64 }

// Store is a store.Store whose hot reads are served from memory (see the
// package doc). Build it with New; it is safe for concurrent use.
type Store struct {
	store.Store

	tokens   *domain[string, *store.Token]
	accounts *domain[int64, *store.Account]
	statuses *domain[int64, *store.Status]
	media    *domain[int64, []*store.MediaAttachment] // nil: the status has none
	polls    *domain[int64, *store.Poll]              // nil: the status has none
	filters  *domain[int64, []*store.Filter]          // by account

	// Per viewer, bumped together by viewerChanged.
	flags     *domain[key, uint8]
	pins      *domain[key, bool]
	relations *domain[int64, *relations]
	tags      *domain[int64, []string] // followed tag names
	hidden    *domain[int64, []int64]  // followees whose reblogs are hidden (following.go)

	check *checker // NewChecked: catch callers changing shared rows
}

// relations is a cached GetViewerRelations answer: right from at (the
// time it was asked for) until r.Until when that is set.
type relations struct {
	r  *store.ViewerRelations
	at time.Time
}

// Interaction flag bits.
const (
	flagFavourited uint8 = 1 << iota
	flagReblogged
	flagBookmarked
	flagMuted
)

// New wraps st. entries bounds each domain (DefaultEntries when <= 0).
func New(st store.Store, entries int) *Store {
	if entries <= 0 {
		entries = DefaultEntries
	}
	self := func(id int64) int64 { return id }
	viewer := func(k key) int64 { return k.v }
	return &Store{
		Store:     st,
		tokens:    newDomain[string, *store.Token](entries, func(string) int64 { return 0 }),
		accounts:  newDomain[int64, *store.Account](entries, self),
		statuses:  newDomain[int64, *store.Status](entries, self),
		media:     newDomain[int64, []*store.MediaAttachment](entries, self),
		polls:     newDomain[int64, *store.Poll](entries, self),
		filters:   newDomain[int64, []*store.Filter](entries, self),
		flags:     newDomain[key, uint8](entries, viewer),
		pins:      newDomain[key, bool](entries, viewer),
		relations: newDomain[int64, *relations](entries, self),
		tags:      newDomain[int64, []string](entries, self),
		hidden:    newDomain[int64, []int64](entries, self),
	}
}

// NewChecked is New for tests: it keeps a private copy of every account
// and status it holds and panics when it is about to serve one that a
// caller changed (batch reads share the rows they serve, see byIDs).
func NewChecked(st store.Store, entries int) *Store {
	s := New(st, entries)
	s.check = &checker{}
	return s
}

// checker holds a copy of each row a Store made by NewChecked shares.
type checker struct {
	copies sync.Map // *T -> T as it was put
}

// kept records p's row as it is now (c nil: not checking) and returns p.
func kept[T any](c *checker, p *T) *T {
	if c != nil {
		c.copies.Store(p, *p)
	}
	return p
}

// verify panics if a caller changed a row of ps since it was kept.
func verify[T any](c *checker, ps []*T) {
	if c == nil {
		return
	}
	for _, p := range ps {
		if was, ok := c.copies.Load(p); ok && !reflect.DeepEqual(*p, was) {
			panic(fmt.Sprintf("readcache: a caller changed a shared %T: %+v, was %+v", *p, *p, was))
		}
	}
}

// DomainCounts are one domain's lookups: served from memory (Hits) and
// read from the store (Misses).
type DomainCounts struct {
	Domain       string
	Hits, Misses uint64
}

// Counts returns each domain's lookups so far (for metrics).
func (s *Store) Counts() []DomainCounts {
	var out []DomainCounts
	add := func(name string, hits, misses uint64) {
		out = append(out, DomainCounts{Domain: name, Hits: hits, Misses: misses})
	}
	for _, d := range []struct {
		name   string
		counts func() (uint64, uint64)
	}{
		{"tokens", s.tokens.counts}, {"accounts", s.accounts.counts}, {"statuses", s.statuses.counts},
		{"media", s.media.counts}, {"polls", s.polls.counts}, {"filters", s.filters.counts},
		{"flags", s.flags.counts}, {"pins", s.pins.counts}, {"relations", s.relations.counts},
		{"followed_tags", s.tags.counts}, {"reblogs_hidden", s.hidden.counts},
	} {
		h, m := d.counts()
		add(d.name, h, m)
	}
	return out
}

// viewerChanged invalidates what is cached per viewer for ids: flags,
// pins, relations, followed tags and hidden reblogs.
func (s *Store) viewerChanged(ids ...int64) {
	s.flags.bump(ids...)
	s.pins.bump(ids...)
	s.relations.bump(ids...)
	s.tags.bump(ids...)
	s.hidden.bump(ids...)
}

// copyOf returns a shallow copy of *p: what the cache hands out or keeps
// is never the value a caller holds.
func copyOf[T any](p *T) *T { c := *p; return &c }

// GetUserTokenByHash serves the token and its account from memory.
func (s *Store) GetUserTokenByHash(ctx context.Context, hash []byte) (*store.Token, *store.Account, error) {
	if t, ok := s.tokens.get(string(hash)); ok {
		a, err := s.GetAccountByID(ctx, t.AccountID) // ErrNotFound: the account is gone
		if err != nil {
			return nil, nil, err
		}
		return copyOf(t), a, nil
	}
	tat, aat := s.tokens.stamp(), s.accounts.stamp()
	t, a, err := s.Store.GetUserTokenByHash(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	s.tokens.put(string(hash), copyOf(t), tat)
	s.accounts.put(a.ID, kept(s.check, copyOf(a)), aat)
	return t, a, nil
}

// GetAccountByID serves accounts.id from memory.
func (s *Store) GetAccountByID(ctx context.Context, id int64) (*store.Account, error) {
	return byID(ctx, s.accounts, s.check, id, s.Store.GetAccountByID)
}

// GetAccountsByIDs serves the accounts it holds from memory and reads the
// others in one query; like the store, in no particular order, missing IDs
// skipped.
func (s *Store) GetAccountsByIDs(ctx context.Context, ids []int64) ([]*store.Account, error) {
	return byIDs(ctx, s.accounts, s.check, ids, s.Store.GetAccountsByIDs, func(a *store.Account) int64 { return a.ID })
}

// GetStatusByID serves statuses.id from memory.
func (s *Store) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	return byID(ctx, s.statuses, s.check, id, s.Store.GetStatusByID)
}

// GetStatusesByIDs is GetAccountsByIDs for statuses.
func (s *Store) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	return byIDs(ctx, s.statuses, s.check, ids, s.Store.GetStatusesByIDs, func(st *store.Status) int64 { return st.ID })
}

// byID serves a copy of id's row from d, or reads it and keeps a copy
// stamped before the read (a write racing the read makes the copy
// refused). It copies what it serves, unlike byIDs: a single row is what
// callers read to change and write back (UpdateCredentials).
func byID[T any](ctx context.Context, d *domain[int64, *T], c *checker, id int64,
	read func(context.Context, int64) (*T, error)) (*T, error) {
	if v, ok := d.get(id); ok {
		return copyOf(v), nil
	}
	at := d.stamp()
	v, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	d.put(id, kept(c, copyOf(v)), at)
	return v, nil
}

// byIDs serves the ids d holds and reads the others with one call of read.
//
// The rows it serves from memory are the cache's own, shared with every
// caller, not copies: copying them was a quarter of a warm home page's
// CPU, and batch reads only render (timelines, notifications, profiles,
// conversations, the feed's candidates); no caller changes them. A caller
// that would must copy first; NewChecked, which the HTTP tests run
// behind, panics on one that does not.
func byIDs[T any](ctx context.Context, d *domain[int64, *T], c *checker, ids []int64,
	read func(context.Context, []int64) ([]*T, error), idOf func(*T) int64) ([]*T, error) {
	out, missing := lookup(d, ids)
	verify(c, out)
	if len(missing) == 0 {
		return out, nil
	}
	at := d.stamp()
	found, err := read(ctx, missing)
	if err != nil {
		return nil, err
	}
	copies := make([]*T, len(found))
	for i, v := range found {
		copies[i] = kept(c, copyOf(v))
	}
	d.putEach(at, func(put func(int64, *T)) {
		for _, v := range copies {
			put(idOf(v), v)
		}
	})
	return append(out, found...), nil
}

// lookup returns the held values of ids (each once) and the IDs it does
// not hold.
func lookup[V any](d *domain[int64, V], ids []int64) (out []V, missing []int64) {
	out = make([]V, 0, len(ids))
	d.getEach(unique(ids), func(id int64, v V, ok bool) {
		if ok {
			out = append(out, v)
		} else {
			missing = append(missing, id)
		}
	})
	return out, missing
}

// unique returns ids without repeats: ids itself when it has none (most
// batches), else a new slice.
func unique(ids []int64) []int64 {
	// Batches are mostly a page or two (tens of IDs), where a scan for
	// repeats costs less than a set.
	if len(ids) > 64 {
		seen := make(map[int64]bool, len(ids))
		uniq := make([]int64, 0, len(ids))
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				uniq = append(uniq, id)
			}
		}
		return uniq
	}
	for i, id := range ids {
		if !slices.Contains(ids[:i], id) {
			continue
		}
		uniq := slices.Clone(ids[:i])
		for _, id := range ids[i+1:] {
			if !slices.Contains(uniq, id) {
				uniq = append(uniq, id)
			}
		}
		return uniq
	}
	return ids
}

// GetInteractionFlags serves the viewer's flags on the statuses it holds
// and reads the others in one query.
func (s *Store) GetInteractionFlags(ctx context.Context, accountID int64, statusIDs []int64) (*store.InteractionFlags, error) {
	// A map is made for a flag only when some status has it (most pages
	// have no bookmark or muted conversation): readers only index them.
	f := &store.InteractionFlags{}
	add := func(m *map[int64]bool, id int64) {
		if *m == nil {
			*m = map[int64]bool{}
		}
		(*m)[id] = true
	}
	set := func(id int64, bits uint8) {
		if bits&flagFavourited != 0 {
			add(&f.Favourited, id)
		}
		if bits&flagReblogged != 0 {
			add(&f.Reblogged, id)
		}
		if bits&flagBookmarked != 0 {
			add(&f.Bookmarked, id)
		}
		if bits&flagMuted != 0 {
			add(&f.Muted, id)
		}
	}
	var missing []int64
	keys := make([]key, len(statusIDs))
	for i, id := range statusIDs {
		keys[i] = key{accountID, id}
	}
	s.flags.getEach(keys, func(k key, bits uint8, ok bool) {
		if ok {
			set(k.id, bits)
		} else {
			missing = append(missing, k.id)
		}
	})
	if len(missing) == 0 {
		return f, nil
	}
	at := s.flags.stamp()
	got, err := s.Store.GetInteractionFlags(ctx, accountID, missing)
	if err != nil {
		return nil, err
	}
	bits := make([]uint8, len(missing))
	for i, id := range missing {
		for _, b := range []struct {
			m   map[int64]bool
			bit uint8
		}{{got.Favourited, flagFavourited}, {got.Reblogged, flagReblogged}, {got.Bookmarked, flagBookmarked}, {got.Muted, flagMuted}} {
			if b.m[id] {
				bits[i] |= b.bit
			}
		}
		set(id, bits[i])
	}
	s.flags.putEach(at, func(put func(key, uint8)) {
		for i, id := range missing {
			put(key{accountID, id}, bits[i])
		}
	})
	return f, nil
}

// GetPinnedStatusIDs serves which of statusIDs the viewer pinned.
func (s *Store) GetPinnedStatusIDs(ctx context.Context, accountID int64, statusIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	var missing []int64
	keys := make([]key, len(statusIDs))
	for i, id := range statusIDs {
		keys[i] = key{accountID, id}
	}
	s.pins.getEach(keys, func(k key, p, ok bool) {
		if !ok {
			missing = append(missing, k.id)
		} else if p {
			out[k.id] = true
		}
	})
	if len(missing) == 0 {
		return out, nil
	}
	at := s.pins.stamp()
	got, err := s.Store.GetPinnedStatusIDs(ctx, accountID, missing)
	if err != nil {
		return nil, err
	}
	s.pins.putEach(at, func(put func(key, bool)) {
		for _, id := range missing {
			put(key{accountID, id}, got[id])
		}
	})
	for _, id := range missing {
		if got[id] {
			out[id] = true
		}
	}
	return out, nil
}

// GetViewerRelations serves the viewer's relations while they hold: until
// a relation of the viewer changes or its first mute expires.
func (s *Store) GetViewerRelations(ctx context.Context, accountID int64, now time.Time) (*store.ViewerRelations, error) {
	if c, ok := s.relations.get(accountID); ok && !now.Before(c.at) && (c.r.Until.IsZero() || now.Before(c.r.Until)) {
		return copyRelations(c.r), nil
	}
	at := s.relations.stamp()
	r, err := s.Store.GetViewerRelations(ctx, accountID, now)
	if err != nil {
		return nil, err
	}
	s.relations.put(accountID, &relations{r: copyRelations(r), at: now}, at)
	return r, nil
}

func copyRelations(r *store.ViewerRelations) *store.ViewerRelations {
	c := *r
	c.Following, c.BlockedOrBlocking = clone(r.Following), clone(r.BlockedOrBlocking)
	c.Muted, c.NotificationMuted = clone(r.Muted), clone(r.NotificationMuted)
	c.Suspended, c.Silenced = clone(r.Suspended), clone(r.Silenced)
	return &c
}

// clone copies s, keeping nil as nil (ViewerRelations' lists are nil when
// empty).
func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// GetFollowedTagNames serves the tags the viewer follows.
func (s *Store) GetFollowedTagNames(ctx context.Context, accountID int64) ([]string, error) {
	if t, ok := s.tags.get(accountID); ok {
		return clone(t), nil
	}
	at := s.tags.stamp()
	t, err := s.Store.GetFollowedTagNames(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.tags.put(accountID, clone(t), at)
	return t, nil
}

// ListFilters serves the account's filters (expired ones included, as the
// store lists them: their expiry is applied by the reader at its now).
func (s *Store) ListFilters(ctx context.Context, accountID int64) ([]*store.Filter, error) {
	if fs, ok := s.filters.get(accountID); ok {
		return copyFilters(fs), nil
	}
	at := s.filters.stamp()
	fs, err := s.Store.ListFilters(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.filters.put(accountID, copyFilters(fs), at)
	return fs, nil
}

func copyFilters(fs []*store.Filter) []*store.Filter {
	if fs == nil {
		return nil
	}
	out := make([]*store.Filter, len(fs))
	for i, f := range fs {
		c := *f
		out[i] = &c
	}
	return out
}

// GetStatusMedia serves the attachments of the statuses it holds
// (including that a status has none).
func (s *Store) GetStatusMedia(ctx context.Context, statusIDs []int64) (map[int64][]*store.MediaAttachment, error) {
	out := map[int64][]*store.MediaAttachment{}
	var missing []int64
	s.media.getEach(statusIDs, func(id int64, ms []*store.MediaAttachment, ok bool) {
		if !ok {
			missing = append(missing, id)
		} else if ms != nil {
			out[id] = copyMedia(ms)
		}
	})
	if len(missing) == 0 {
		return out, nil
	}
	at := s.media.stamp()
	got, err := s.Store.GetStatusMedia(ctx, missing)
	if err != nil {
		return nil, err
	}
	copies := make([][]*store.MediaAttachment, len(missing))
	for i, id := range missing {
		ms := got[id]
		if ms != nil {
			out[id] = ms
		}
		copies[i] = copyMedia(ms)
	}
	s.media.putEach(at, func(put func(int64, []*store.MediaAttachment)) {
		for i, id := range missing {
			put(id, copies[i])
		}
	})
	return out, nil
}

func copyMedia(ms []*store.MediaAttachment) []*store.MediaAttachment {
	if ms == nil {
		return nil
	}
	out := make([]*store.MediaAttachment, len(ms))
	for i, m := range ms {
		c := *m
		out[i] = &c
	}
	return out
}

// GetStatusPolls serves the polls of the statuses it holds (including that
// a status has none). A poll row does not change once written (votes are
// counted apart, GetPollResults, which is not cached).
func (s *Store) GetStatusPolls(ctx context.Context, statusIDs []int64) (map[int64]*store.Poll, error) {
	out := map[int64]*store.Poll{}
	var missing []int64
	s.polls.getEach(statusIDs, func(id int64, p *store.Poll, ok bool) {
		if !ok {
			missing = append(missing, id)
		} else if p != nil {
			c := *p
			out[id] = &c
		}
	})
	if len(missing) == 0 {
		return out, nil
	}
	at := s.polls.stamp()
	got, err := s.Store.GetStatusPolls(ctx, missing)
	if err != nil {
		return nil, err
	}
	keep := make([]*store.Poll, len(missing))
	for i, id := range missing {
		if p := got[id]; p != nil {
			out[id] = p
			c := *p
			keep[i] = &c
		}
	}
	s.polls.putEach(at, func(put func(int64, *store.Poll)) {
		for i, id := range missing {
			put(id, keep[i])
		}
	})
	return out, nil
}
