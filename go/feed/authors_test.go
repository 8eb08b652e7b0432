package feed

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// authorStore is a feed.Store over a few statuses that counts the SQL
// queries a read would make.
type authorStore struct {
	following, hidden map[int64][]int64
	mentions          map[int64][]int64 // status -> mentioned accounts
	sts               []*store.Status   // ascending IDs
	queries           int               // ListStatuses and ListStatusIDs calls
	loaded            int               // statuses asked of GetStatusesByIDs
}

func (s *authorStore) GetFollowingIDs(_ context.Context, id int64) ([]int64, error) {
	return slices.Clone(s.following[id]), nil
}

func (s *authorStore) GetReblogsHiddenIDs(_ context.Context, id int64) ([]int64, error) {
	return slices.Clone(s.hidden[id]), nil
}

func (s *authorStore) GetFollowedTagNames(context.Context, int64) ([]string, error) { return nil, nil }

func (s *authorStore) ListPublicTaggedStatuses(context.Context, []string, store.Page) ([]*store.Status, error) {
	return nil, nil
}

func (s *authorStore) ListStatuses(_ context.Context, q store.StatusQuery) ([]*store.Status, error) {
	s.queries++
	var out []*store.Status
	for _, st := range slices.Backward(s.sts) {
		switch {
		case !slices.Contains(q.AccountIDs, st.AccountID),
			q.Page.MaxID != 0 && st.ID >= q.Page.MaxID, st.ID <= q.Page.SinceID,
			st.ReblogOfID != 0 && slices.Contains(q.HideReblogsOf, st.AccountID):
		case slices.Contains(q.Visibilities, st.Visibility),
			st.Visibility == store.VisibilityDirect && slices.Contains(s.mentions[st.ID], q.DirectMentioning):
			if out = append(out, st); len(out) == q.Page.Limit {
				return out, nil
			}
		}
	}
	return out, nil
}

func (s *authorStore) ListStatusIDs(ctx context.Context, q store.StatusQuery) ([]int64, error) {
	sts, err := s.ListStatuses(ctx, q)
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	return ids, err
}

func (s *authorStore) GetStatusesByIDs(_ context.Context, ids []int64) ([]*store.Status, error) {
	s.loaded += len(ids)
	var out []*store.Status
	for _, st := range s.sts {
		if slices.Contains(ids, st.ID) {
			out = append(out, st)
		}
	}
	return out, nil
}

// TestCelebrityMergeFromAuthorTimelines: a hybrid read merges its
// celebrity followee's statuses from the celebrity's author timeline,
// built from SQL once and then written by the fan-out, leaving out the
// reblogs the viewer hides; a celebrity's direct status reaches the
// account it mentions; a deleted status leaves the author timeline.
func TestCelebrityMergeFromAuthorTimelines(t *testing.T) {
	ctx := context.Background()
	const viewer, celeb, other, fan = 1, 2, 3, 4
	st := &authorStore{
		following: map[int64][]int64{viewer: {celeb, other}, fan: {celeb}},
		hidden:    map[int64][]int64{},
		mentions:  map[int64][]int64{},
	}
	// Threshold 20: the celebrity has 20 followers; the other author's one
	// is too few for the decision model ever to merge it.
	c := NewCached(st, NewMemory(800, 1<<20), 20, slog.New(slog.DiscardHandler))
	audience := []int64{celeb, viewer, fan}
	for id := int64(100); len(audience) < 21; id++ {
		audience = append(audience, id)
	}
	post := func(id, author int64, vis store.Visibility, reblogOf int64, home []int64) {
		t.Helper()
		s := &store.Status{ID: id, AccountID: author, Visibility: vis, ReblogOfID: reblogOf}
		st.sts = append(st.sts, s)
		if err := c.StatusAdded(ctx, s, home, nil); err != nil {
			t.Fatal(err)
		}
	}
	read := func(want ...int64) {
		t.Helper()
		got, err := c.Home(ctx, viewer, store.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), want) {
			t.Fatalf("home %v, want %v", ids(got), want)
		}
	}
	post(9, 5, store.VisibilityPublic, 0, []int64{5}) // by an account nobody follows
	post(10, other, store.VisibilityPublic, 0, []int64{other, viewer})
	post(11, celeb, store.VisibilityPublic, 0, audience) // a celebrity
	read(11, 10)                                         // the home and the author timeline built from SQL
	built := st.queries
	post(12, celeb, store.VisibilityPrivate, 0, audience)
	post(13, other, store.VisibilityPublic, 0, []int64{other, viewer})
	read(13, 12, 11, 10)
	if st.queries != built {
		t.Errorf("%d more queries on a warm read, want none", st.queries-built)
	}
	if _, ok := c.tl.(*Memory); !ok {
		t.Fatal("not the in-process store")
	}
	if got, state, _ := c.tl.Page(ctx, HomeKey(viewer), 0, store.Page{Limit: 10}); state != Hit || slices.Contains(got, 12) {
		t.Errorf("viewer's cached home %v (%v): a celebrity's status was fanned out", got, state)
	}
	// A direct status mentioning the viewer is pushed, not merged.
	st.mentions[14] = []int64{viewer}
	post(14, celeb, store.VisibilityDirect, 0, []int64{celeb, viewer})
	read(14, 13, 12, 11, 10)
	// The viewer hides the celebrity's reblogs: its reblog is left out.
	post(15, celeb, store.VisibilityPublic, 9, audience)
	st.hidden[viewer] = []int64{celeb}
	read(14, 13, 12, 11, 10)
	st.hidden[viewer] = nil
	read(15, 14, 13, 12, 11, 10)
	// A delete leaves the author timeline.
	st.sts = slices.DeleteFunc(st.sts, func(s *store.Status) bool { return s.ID == 12 })
	if err := c.StatusRemoved(ctx, 12, audience, nil); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := c.tl.Page(ctx, AuthorKey(celeb), 0, store.Page{Limit: 10}); slices.Contains(got, 12) {
		t.Errorf("author timeline %v still holds the deleted status", got)
	}
	read(15, 14, 13, 11, 10)
}

// TestCelebrityMergeLoadsThePage: of several celebrities' author timelines
// a read loads only the statuses that can reach its page, and still fills
// the page when one of them is gone from the store.
func TestCelebrityMergeLoadsThePage(t *testing.T) {
	ctx := context.Background()
	const viewer, celebA, celebB = 1, 2, 3
	st := &authorStore{
		following: map[int64][]int64{viewer: {celebA, celebB}},
		hidden:    map[int64][]int64{},
		mentions:  map[int64][]int64{},
	}
	c := NewCached(st, NewMemory(800, 1<<20), 20, slog.New(slog.DiscardHandler))
	audience := []int64{viewer}
	for id := int64(100); len(audience) < 21; id++ {
		audience = append(audience, id)
	}
	page := store.Page{Limit: 5}
	// The viewer's home is built first, so it holds none of the
	// celebrities' statuses: the page comes from their author timelines.
	if _, err := c.Home(ctx, viewer, page); err != nil {
		t.Fatal(err)
	}
	// Interleaved: A posts the even IDs 10..28, B the odd ones 11..29.
	for id := int64(10); id < 30; id++ {
		author := int64(celebA)
		if id%2 == 1 {
			author = celebB
		}
		s := &store.Status{ID: id, AccountID: author, Visibility: store.VisibilityPublic}
		st.sts = append(st.sts, s)
		if err := c.StatusAdded(ctx, s, append([]int64{author}, audience...), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Home(ctx, viewer, page); err != nil { // builds the author timelines
		t.Fatal(err)
	}
	st.loaded = 0
	got, err := c.Home(ctx, viewer, page)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{29, 28, 27, 26, 25}; !slices.Equal(ids(got), want) {
		t.Fatalf("home %v, want %v", ids(got), want)
	}
	if st.loaded > page.Limit {
		t.Errorf("a warm read loaded %d statuses for a page of %d", st.loaded, page.Limit)
	}
	// 27 is gone from the store but not yet from B's author timeline.
	st.sts = slices.DeleteFunc(st.sts, func(s *store.Status) bool { return s.ID == 27 })
	if got, err = c.Home(ctx, viewer, page); err != nil {
		t.Fatal(err)
	}
	if want := []int64{29, 28, 26, 25, 24}; !slices.Equal(ids(got), want) {
		t.Fatalf("home without 27: %v, want %v", ids(got), want)
	}
}
