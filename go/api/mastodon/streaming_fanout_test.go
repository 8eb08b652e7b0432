package mastodon

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/streaming"
)

// countingStore counts the reads streaming makes.
type countingStore struct {
	store.Store
	mu sync.Mutex
	n  map[string]int
}

func newCountingStore(st store.Store) *countingStore {
	return &countingStore{Store: st, n: map[string]int{}}
}

func (s *countingStore) count(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[name]++
}

// total is the number of counted reads so far.
func (s *countingStore) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.n {
		n += v
	}
	return n
}

func (s *countingStore) get(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[name]
}

func (s *countingStore) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	s.count("GetStatusByID")
	return s.Store.GetStatusByID(ctx, id)
}

func (s *countingStore) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	s.count("GetStatusesByIDs")
	return s.Store.GetStatusesByIDs(ctx, ids)
}

func (s *countingStore) GetStatusMentions(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	s.count("GetStatusMentions")
	return s.Store.GetStatusMentions(ctx, ids)
}

func (s *countingStore) GetStatusTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	s.count("GetStatusTags")
	return s.Store.GetStatusTags(ctx, ids)
}

func (s *countingStore) GetAccountsByIDs(ctx context.Context, ids []int64) ([]*store.Account, error) {
	s.count("GetAccountsByIDs")
	return s.Store.GetAccountsByIDs(ctx, ids)
}

func (s *countingStore) GetInteractionFlags(ctx context.Context, accountID int64, ids []int64) (*store.InteractionFlags, error) {
	s.count("GetInteractionFlags")
	return s.Store.GetInteractionFlags(ctx, accountID, ids)
}

func (s *countingStore) GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	s.count("GetFollowingIDs")
	return s.Store.GetFollowingIDs(ctx, accountID)
}

func (s *countingStore) GetBlockedAndBlockingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	s.count("GetBlockedAndBlockingIDs")
	return s.Store.GetBlockedAndBlockingIDs(ctx, accountID)
}

func (s *countingStore) GetMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error) {
	s.count("GetMutedIDs")
	return s.Store.GetMutedIDs(ctx, accountID, now)
}

func (s *countingStore) GetViewerRelations(ctx context.Context, accountID int64, now time.Time) (*store.ViewerRelations, error) {
	if accountID == 0 {
		// The moderated accounts alone: loaded once per event, for all.
		s.count("GetViewerRelations(anonymous)")
	} else {
		s.count("GetViewerRelations")
	}
	return s.Store.GetViewerRelations(ctx, accountID, now)
}

func (s *countingStore) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	s.count("GetListByID")
	return s.Store.GetListByID(ctx, id)
}

// TestStreamingRendersOncePerEvent: what an event costs the database does
// not grow with its listeners. Anonymous and signed-in listeners of the
// public stream share one rendering; a signed-in listener's blocks and
// mutes come from memory after its first event.
func TestStreamingRendersOncePerEvent(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		cs := newCountingStore(st)
		e := newStreamEnvOn(t, cs)
		author, _ := e.user("ada", "read write")
		// reads posts a status and counts the reads until every listener
		// has it.
		reads := func(listeners []*wsClient) int {
			t.Helper()
			before := cs.total()
			st := e.post(author, "hello listeners", store.VisibilityPublic)
			for _, c := range listeners {
				if m := c.next(); payloadID(t, m) != formatID(st.ID) {
					t.Fatalf("got %v, want the update of %d", m, st.ID)
				}
			}
			return cs.total() - before
		}
		listeners := []*wsClient{e.dial("?stream=public", "")}
		reads(listeners) // warm-up
		one := reads(listeners)
		for range 19 {
			listeners = append(listeners, e.dial("?stream=public", ""))
		}
		const signedIn = 5
		for i := range signedIn {
			_, tok := e.user("reader"+strconv.Itoa(i), "read")
			listeners = append(listeners, e.dial("?stream=public", tok))
		}
		reads(listeners) // the signed-in listeners load their relationships
		if many := reads(listeners); many != one {
			t.Errorf("one post read the store %d times with 1 listener, %d times with %d", one, many, len(listeners))
		}
		if n := cs.get("GetViewerRelations"); n != signedIn {
			t.Errorf("follows, blocks and mutes loaded %d times for %d signed-in listeners over two events, want once each", n, signedIn)
		}
		if n := cs.get("GetViewerRelations(anonymous)"); n != 4 {
			t.Errorf("the moderated accounts loaded %d times over four events, want once per event", n)
		}
	})
}

// TestStreamingListSubscribeCostsOneQuery: subscribing to a list checks
// that it is the viewer's once; subscribing again, or after
// unsubscribing, costs no query.
func TestStreamingListSubscribeCostsOneQuery(t *testing.T) {
	cs := newCountingStore(openSQLite(t))
	e := newStreamEnvOn(t, cs, func(o *Options) { o.StreamLimits = StreamLimits{SubscribeRate: 1e6} })
	ctx := context.Background()
	alice, tok := e.user("alice", "read write")
	bob, bobTok := e.user("bob", "read write")
	title := "friends"
	list, err := e.svc.CreateList(ctx, alice, social.ListInput{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	c := e.dial("", tok)
	sub := map[string]string{"type": "subscribe", "stream": "list", "list": formatID(list.ID)}
	unsub := map[string]string{"type": "unsubscribe", "stream": "list", "list": formatID(list.ID)}
	for range 10 {
		c.send(sub)
		c.send(sub)
		c.send(unsub)
	}
	c.send(sub)
	c.barrier()
	if n := cs.get("GetListByID"); n != 1 {
		t.Errorf("31 list (un)subscriptions made %d list queries, want 1", n)
	}
	// The list stream works; bob cannot listen to alice's list.
	e.follow(alice, bob)
	if err := e.svc.AddListAccounts(ctx, alice, list.ID, []int64{bob.ID}); err != nil {
		t.Fatal(err)
	}
	st := e.post(bob, "to the list", store.VisibilityPublic)
	if m := c.next(); payloadID(t, m) != formatID(st.ID) || toStrings(m["stream"])[0] != "list" {
		t.Fatalf("got %v, want the update on the list", m)
	}
	other := e.dial("", bobTok)
	other.send(sub)
	other.wantError(http.StatusNotFound, "List not found")
}

// TestStreamingBlocksApplyFromMemory: a listener's blocks (both ways) take
// effect on the next event, without reconnecting; a mute does not hide an
// account on public streams (the one rule: mutes hide at home).
func TestStreamingBlocksApplyFromMemory(t *testing.T) {
	e := newStreamEnv(t)
	ctx := context.Background()
	viewer, tok := e.user("vic", "read write follow")
	author, _ := e.user("ada", "read write follow")
	other, _ := e.user("max", "read write")
	c := e.dial("?stream=public", tok)
	expect := func(st *store.Status) {
		t.Helper()
		if m := c.next(); payloadID(t, m) != formatID(st.ID) {
			t.Fatalf("got %v, want the update of %q", m, st.Content)
		}
	}
	expect(e.post(author, "first", store.VisibilityPublic)) // relationships now in memory
	steps := []struct {
		name    string
		change  func() error
		visible bool
	}{
		{"viewer blocks", func() error { _, err := e.svc.Block(ctx, viewer, author.ID); return err }, false},
		{"viewer unblocks", func() error { _, err := e.svc.Unblock(ctx, viewer, author.ID); return err }, true},
		{"author blocks", func() error { _, err := e.svc.Block(ctx, author, viewer.ID); return err }, false},
		{"author unblocks", func() error { _, err := e.svc.Unblock(ctx, author, viewer.ID); return err }, true},
		{"viewer mutes", func() error { _, err := e.svc.Mute(ctx, viewer, author.ID, social.MuteOptions{}); return err }, true},
	}
	for _, step := range steps {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		st := e.post(author, "after: "+step.name, store.VisibilityPublic)
		if step.visible {
			expect(st)
			continue
		}
		expect(e.post(other, "marker after: "+step.name, store.VisibilityPublic))
	}
}

// TestStreamingRelationshipChangeAcrossProcesses: a block made through
// one server process applies at once to a listener connected to another,
// which holds the listener's relationships in memory.
func TestStreamingRelationshipChangeAcrossProcesses(t *testing.T) {
	opts, channel := streaming.TestRedis(t)
	onRedis := func(o *Options) {
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { rdb.Close() })
		bus := streaming.NewRedis(context.Background(), rdb, channel, slog.New(slog.DiscardHandler))
		t.Cleanup(func() { bus.Close() })
		o.Bus = bus
	}
	st := openSQLite(t)
	one := newStreamEnvOn(t, st, onRedis)
	two := newStreamEnvOn(t, st, onRedis)
	viewer, tok := one.user("vic", "read write follow")
	author, _ := one.user("ada", "read write")
	other, _ := one.user("max", "read write")
	c := one.dial("?stream=public", tok)
	first := two.post(author, "first", store.VisibilityPublic)
	if m := c.next(); payloadID(t, m) != formatID(first.ID) {
		t.Fatalf("got %v, want the first update", m)
	}
	if _, err := two.svc.Block(context.Background(), viewer, author.ID); err != nil {
		t.Fatal(err)
	}
	two.post(author, "blocked", store.VisibilityPublic)
	marker := two.post(other, "marker", store.VisibilityPublic)
	if m := c.next(); payloadID(t, m) != formatID(marker.ID) {
		t.Fatalf("got %v, want the marker: the block made on the other process did not apply", m)
	}
}
