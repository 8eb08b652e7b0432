package feed

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func statuses(ids ...int64) []*store.Status {
	out := make([]*store.Status, len(ids))
	for i, id := range ids {
		out[i] = &store.Status{ID: id}
	}
	return out
}

func ids(sts []*store.Status) []int64 {
	out := make([]int64, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

func TestMergePage(t *testing.T) {
	tests := []struct {
		name string
		a, b []int64
		page store.Page
		want []int64
	}{
		{"interleaves newest first", []int64{9, 5, 1}, []int64{8, 6, 2}, store.Page{Limit: 10}, []int64{9, 8, 6, 5, 2, 1}},
		{"cuts to the newest", []int64{9, 5, 1}, []int64{8, 6, 2}, store.Page{Limit: 3}, []int64{9, 8, 6}},
		{"min_id keeps the oldest", []int64{9, 5, 3}, []int64{8, 6, 4}, store.Page{Limit: 3, MinID: 2}, []int64{5, 4, 3}},
		{"min_id window", []int64{9, 5}, []int64{8, 6}, store.Page{Limit: 2, MinID: 4}, []int64{6, 5}},
		{"one side empty", nil, []int64{3, 2}, store.Page{Limit: 5}, []int64{3, 2}},
		{"both empty", nil, nil, store.Page{Limit: 5}, []int64{}},
		{"a status in both once", []int64{9, 6, 2}, []int64{8, 6, 1}, store.Page{Limit: 10}, []int64{9, 8, 6, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(mergePage(statuses(tt.a...), statuses(tt.b...), tt.page))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("mergePage = %v, want %v", got, tt.want)
			}
		})
	}
}

// fakeReader answers Home's queries from fixed lists and records them.
type fakeReader struct {
	following, hidden []int64
	tags              []string
	queries           []store.StatusQuery
	tagQueries        [][]string
}

func (f *fakeReader) GetFollowingIDs(context.Context, int64) ([]int64, error) {
	return f.following, nil
}

func (f *fakeReader) GetReblogsHiddenIDs(context.Context, int64) ([]int64, error) {
	return f.hidden, nil
}

func (f *fakeReader) ListStatuses(_ context.Context, q store.StatusQuery) ([]*store.Status, error) {
	f.queries = append(f.queries, q)
	return nil, nil
}

func (f *fakeReader) ListStatusIDs(_ context.Context, q store.StatusQuery) ([]int64, error) {
	f.queries = append(f.queries, q)
	return nil, nil
}

func (f *fakeReader) GetFollowedTagNames(context.Context, int64) ([]string, error) {
	return f.tags, nil
}

func (f *fakeReader) ListPublicTaggedStatuses(_ context.Context, names []string, p store.Page) ([]*store.Status, error) {
	f.tagQueries = append(f.tagQueries, names)
	return statuses(50, 40), nil
}

// Home asks for what Mastodon's fan-out would have delivered: the viewer's
// own statuses of every visibility, and the followees' public, unlisted and
// private ones, their direct statuses that mention the viewer, and their
// reblogs unless the follow hides them; and the statuses of the followed
// tags (TestHomeFollowedTags).
func TestHomeQueries(t *testing.T) {
	const me = 7
	page := store.Page{Limit: 20, MaxID: 99}
	tests := []struct {
		name              string
		following, hidden []int64
		want              []store.StatusQuery
	}{
		{"no followees: own only", nil, nil, []store.StatusQuery{
			{AccountIDs: []int64{me}, Visibilities: ownVisibilities, Page: page},
		}},
		{"followees", []int64{3, 5}, nil, []store.StatusQuery{
			{AccountIDs: []int64{me}, Visibilities: ownVisibilities, Page: page},
			{AccountIDs: []int64{3, 5}, Visibilities: followeeVisibilities, DirectMentioning: me, Page: page},
		}},
		{"a followee's reblogs hidden", []int64{3, 5}, []int64{5}, []store.StatusQuery{
			{AccountIDs: []int64{me}, Visibilities: ownVisibilities, Page: page},
			{AccountIDs: []int64{3, 5}, Visibilities: followeeVisibilities, DirectMentioning: me, HideReblogsOf: []int64{5}, Page: page},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeReader{following: tt.following, hidden: tt.hidden}
			if _, err := NewPull(r).Home(context.Background(), me, page); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.queries, tt.want) {
				t.Errorf("queries:\n got %+v\nwant %+v", r.queries, tt.want)
			}
		})
	}
}

// With followed tags, Home asks for their public statuses in the same
// window and merges them in; without any it does not ask.
func TestHomeFollowedTags(t *testing.T) {
	page := store.Page{Limit: 20}
	r := &fakeReader{}
	if _, err := NewPull(r).Home(context.Background(), 7, page); err != nil {
		t.Fatal(err)
	}
	if len(r.tagQueries) != 0 {
		t.Errorf("no followed tags, yet tagged statuses were asked for: %v", r.tagQueries)
	}
	r = &fakeReader{tags: []string{"cats", "dogs"}}
	got, err := NewPull(r).Home(context.Background(), 7, page)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.tagQueries, [][]string{{"cats", "dogs"}}) {
		t.Errorf("tag queries = %v, want [[cats dogs]]", r.tagQueries)
	}
	if !slices.Equal(ids(got), []int64{50, 40}) {
		t.Errorf("home = %v, want the tagged statuses [50 40]", ids(got))
	}
}
