package feed

import (
	"context"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// fakeStore is fakeReader with statuses loaded by ID.
type fakeStore struct{ *fakeReader }

func (fakeStore) GetStatusesByIDs(_ context.Context, ids []int64) ([]*store.Status, error) {
	return statuses(ids...), nil
}

// TestNewestHomeBuildsNothing: on a home not cached, NewestHome reads the
// page from SQL (the page's few statuses, not the cap) and leaves the
// timeline missing; once Home has built it, NewestHome reads it without
// SQL.
func TestNewestHomeBuildsNothing(t *testing.T) {
	ctx := context.Background()
	const me = 7
	r := &fakeReader{following: []int64{3, 5}}
	mem := NewMemory(800, 1<<20)
	c := NewCached(fakeStore{r}, mem, 0, nil)
	page := store.Page{Limit: 5}
	if _, err := c.NewestHome(ctx, me, page); err != nil {
		t.Fatal(err)
	}
	if len(r.queries) != 2 {
		t.Fatalf("NewestHome on a missing home made %d status queries, want 2 (own, followees)", len(r.queries))
	}
	for _, q := range r.queries {
		if q.Page != page {
			t.Errorf("NewestHome read %+v, want the page %+v", q.Page, page)
		}
	}
	if _, state, err := mem.Page(ctx, HomeKey(me), 0, page); err != nil || state != Miss {
		t.Fatalf("after NewestHome the timeline is %v (%v), want still missing", state, err)
	}
	if _, err := c.Home(ctx, me, page); err != nil {
		t.Fatal(err)
	}
	if _, state, err := mem.Page(ctx, HomeKey(me), 0, page); err != nil || state != Hit {
		t.Fatalf("after Home the timeline is %v (%v), want built", state, err)
	}
	n := len(r.queries)
	if _, err := c.NewestHome(ctx, me, page); err != nil {
		t.Fatal(err)
	}
	if len(r.queries) != n {
		t.Errorf("NewestHome on a cached home made %d status queries, want none", len(r.queries)-n)
	}
}
