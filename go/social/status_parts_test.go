package social

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
)

// partsCountingStore counts the mention, tag and pin queries that reach
// the store (a pin lookup over no status costs no query).
type partsCountingStore struct {
	store.Store
	mentions, tags, pins atomic.Int32
}

func (c *partsCountingStore) GetPinnedStatusIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error) {
	if len(ids) > 0 {
		c.pins.Add(1)
	}
	return c.Store.GetPinnedStatusIDs(ctx, accountID, ids)
}

func (c *partsCountingStore) GetStatusMentions(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	c.mentions.Add(1)
	return c.Store.GetStatusMentions(ctx, ids)
}

func (c *partsCountingStore) GetStatusTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	c.tags.Add(1)
	return c.Store.GetStatusTags(ctx, ids)
}

// TestStatusPartsCache checks that a page read again takes its mentions
// and tags from the cache with no query, renders the same, keeps the
// visibility rule's answer for direct statuses (mentioned viewer yes,
// others no), and reloads a status whose content differs from the cached
// one.
func TestStatusPartsCache(t *testing.T) {
	ctx := context.Background()
	st := &partsCountingStore{Store: openTestStore(t)}
	s := New(Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st)}, Config{BcryptCost: bcrypt.MinCost})
	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	pub, err := s.PostStatus(ctx, alice, StatusInput{Text: "@bob hi #one #two"})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := s.PostStatus(ctx, bob, StatusInput{Text: "@alice secret #three", Visibility: "direct"})
	if err != nil {
		t.Fatal(err)
	}
	render := func() (int32, []*StatusView) {
		t.Helper()
		before := st.mentions.Load() + st.tags.Load()
		views, err := s.ViewStatuses(ctx, alice, []*store.Status{dm, pub})
		if err != nil {
			t.Fatal(err)
		}
		return st.mentions.Load() + st.tags.Load() - before, views
	}
	cold, first := render()
	warm, second := render()
	if cold != 2 || warm != 0 {
		t.Errorf("mention and tag queries: %d cold, %d warm; want 2 and 0", cold, warm)
	}
	for i, v := range second {
		if !slices.Equal(v.Tags, first[i].Tags) || len(v.Mentions) != len(first[i].Mentions) {
			t.Errorf("status %d: warm %v/%d, cold %v/%d", v.Status.ID, v.Tags, len(v.Mentions), first[i].Tags, len(first[i].Mentions))
		}
	}
	if !slices.Equal(second[1].Tags, []string{"one", "two"}) || len(second[1].Mentions) != 1 || second[1].Mentions[0].ID != bob.ID {
		t.Errorf("public status: tags %v, mentions %v", second[1].Tags, second[1].Mentions)
	}

	// The direct status, mentions now cached: alice may read it, carol not.
	for range 2 {
		if _, err := s.GetStatus(ctx, alice, dm.ID); err != nil {
			t.Errorf("mentioned viewer: %v", err)
		}
		if _, err := s.GetStatus(ctx, carol, dm.ID); KindOf(err) != KindNotFound {
			t.Errorf("stranger reading a direct status: %v, want not found", err)
		}
	}

	// Other content (as an edit would store): the entry is not used.
	edited := *pub
	edited.Content += "<p>edited</p>"
	before := st.mentions.Load()
	if _, err := s.ViewStatuses(ctx, alice, []*store.Status{&edited}); err != nil {
		t.Fatal(err)
	}
	if st.mentions.Load() != before+1 {
		t.Error("a status with other content was served from the cache")
	}
}

// TestStatusPartsCacheBound: the cache never holds more than two
// generations, also when a batch crosses from one to the next.
func TestStatusPartsCacheBound(t *testing.T) {
	var c statusPartsCache
	const batch = 20
	for first := int64(0); first < 3*statusPartsPerGeneration+7; first += batch {
		var ids []int64
		var ps []*statusParts
		for id := first; id < min(first+batch, 3*statusPartsPerGeneration+7); id++ {
			ids = append(ids, id)
			ps = append(ps, &statusParts{content: c.hash("")})
		}
		c.putAll(ids, ps)
	}
	if n := len(c.young) + len(c.old); n > 2*statusPartsPerGeneration {
		t.Errorf("cache holds %d entries, more than two generations of %d", n, statusPartsPerGeneration)
	}
	if missing := c.lookup([]*store.Status{{ID: 3*statusPartsPerGeneration + 6}}, func(int64, *statusParts) {}); len(missing) != 0 {
		t.Error("the newest entry was evicted")
	}
}

// TestViewStatusesAsksPinsOnlyForOwn: a page without the viewer's own
// statuses needs no pin query, and the viewer's own statuses still show
// their pinned flag.
func TestViewStatusesAsksPinsOnlyForOwn(t *testing.T) {
	ctx := context.Background()
	st := &partsCountingStore{Store: openTestStore(t)}
	s := New(Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st)}, Config{BcryptCost: bcrypt.MinCost})
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	theirs, err := s.PostStatus(ctx, bob, StatusInput{Text: "bob's"})
	if err != nil {
		t.Fatal(err)
	}
	own, err := s.PostStatus(ctx, alice, StatusInput{Text: "alice's"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PinStatus(ctx, alice, own.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ViewStatuses(ctx, alice, []*store.Status{theirs}); err != nil {
		t.Fatal(err)
	}
	if n := st.pins.Load(); n != 0 {
		t.Errorf("a page of others' statuses asked for pins %d times", n)
	}
	views, err := s.ViewStatuses(ctx, alice, []*store.Status{own, theirs})
	if err != nil {
		t.Fatal(err)
	}
	if n := st.pins.Load(); n != 1 {
		t.Errorf("a page with an own status asked for pins %d times, want 1", n)
	}
	if len(views) != 2 || !views[0].Pinnable || !views[0].Pinned || views[1].Pinnable {
		t.Errorf("pinned flags: own %+v, theirs %+v", views[0], views[1])
	}
}
