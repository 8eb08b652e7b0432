package social

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func TestDecay(t *testing.T) {
	tests := []struct {
		age  time.Duration
		want float64
	}{
		{0, 1},
		{-time.Hour, 1}, // clock skew: never more than a fresh use
		{trendHalfLife, 0.5},
		{2 * trendHalfLife, 0.25},
		{trendHalfLife / 2, 1 / math.Sqrt2},
		{7 * 24 * time.Hour, math.Exp2(-7)}, // a week with a one-day half-life
	}
	for _, tt := range tests {
		if got := decay(tt.age, trendHalfLife); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("decay(%v) = %v, want %v", tt.age, got, tt.want)
		}
	}
}

func TestTagScores(t *testing.T) {
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	use := func(name string, account, n int64, ago time.Duration) store.TagUse {
		return store.TagUse{Name: name, AccountID: account, Uses: n, LastUsed: now.Add(-ago)}
	}
	tests := []struct {
		name string
		uses []store.TagUse
		want map[string]float64
	}{
		{"one fresh use", []store.TagUse{use("a", 1, 1, 0)}, map[string]float64{"a": 1}},
		{"one use a half-life ago", []store.TagUse{use("a", 1, 1, trendHalfLife)}, map[string]float64{"a": math.Log2(1.5)}},
		{"three fresh uses by one account", []store.TagUse{use("a", 1, 3, 0)}, map[string]float64{"a": 2}},
		{"one account's uses across hours add up first", []store.TagUse{use("a", 1, 1, 0), use("a", 1, 2, 0)}, map[string]float64{"a": 2}},
		{"three accounts outweigh one account thrice", []store.TagUse{use("a", 1, 1, 0), use("a", 2, 1, 0), use("a", 3, 1, 0), use("b", 4, 3, 0)},
			map[string]float64{"a": 3, "b": 2}},
		{"tags score apart", []store.TagUse{use("a", 1, 1, 0), use("b", 1, 1, 2*trendHalfLife)},
			map[string]float64{"a": 1, "b": math.Log2(1.25)}},
	}
	for _, tt := range tests {
		got := tagScores(tt.uses, now)
		if len(got) != len(tt.want) {
			t.Errorf("%s: scores = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for name, w := range tt.want {
			if math.Abs(got[name]-w) > 1e-12 {
				t.Errorf("%s: score[%s] = %v, want %v", tt.name, name, got[name], w)
			}
		}
	}
}

func TestStatusScore(t *testing.T) {
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		engagement int64
		ago        time.Duration
		want       float64
	}{
		{1, 0, 1},
		{10, 0, 10},
		{10, trendHalfLife, 5},
		{8, 3 * trendHalfLife, 1},
	}
	for _, tt := range tests {
		e := store.StatusEngagement{Engagement: tt.engagement, CreatedAt: now.Add(-tt.ago)}
		if got := statusScore(e, now); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("statusScore(%d, %v ago) = %v, want %v", tt.engagement, tt.ago, got, tt.want)
		}
	}
}

// trendClock is a settable service clock: statuses are posted "in the
// past" by moving it, never by sleeping.
type trendClock struct{ now time.Time }

func (c *trendClock) Now() time.Time { return c.now }

func TestTrendingTags(t *testing.T) {
	ctx := context.Background()
	clock := &trendClock{now: time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)}
	s, _ := newService(t, Deps{Now: clock.Now}, Config{})
	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	now := clock.now
	post := func(a *store.Account, ago time.Duration, text string, vis store.Visibility) {
		t.Helper()
		clock.now = now.Add(-ago)
		if _, err := s.PostStatus(ctx, a, StatusInput{Text: text, Visibility: string(vis)}); err != nil {
			t.Fatal(err)
		}
	}
	// #spam: one account, five fresh posts (log2(6) ≈ 2.58).
	for range 5 {
		post(alice, time.Hour, "#spam", store.VisibilityPublic)
	}
	// #birds: three accounts, fresh (≈ 3).
	for _, a := range []*store.Account{alice, bob, carol} {
		post(a, 2*time.Hour, "#Birds", store.VisibilityPublic)
	}
	// #old: three accounts, four days ago (3·log2(1+1/16) ≈ 0.26).
	for _, a := range []*store.Account{alice, bob, carol} {
		post(a, 4*24*time.Hour, "#old", store.VisibilityPublic)
	}
	post(bob, time.Hour, "#hidden", store.VisibilityUnlisted)
	post(bob, 8*24*time.Hour, "#ancient", store.VisibilityPublic)
	clock.now = now

	tags, err := s.TrendingTags(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	if want := []string{"birds", "spam", "old"}; !slices.Equal(names, want) {
		t.Fatalf("trending = %v, want %v", names, want)
	}
	birds := tags[0]
	if len(birds.History) != tagHistoryDays {
		t.Fatalf("history has %d days, want %d", len(birds.History), tagHistoryDays)
	}
	today := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	if h := birds.History[0]; !h.Day.Equal(today) || h.Uses != 3 || h.Accounts != 3 {
		t.Errorf("birds today = %+v, want 3 uses by 3 accounts on %v", h, today)
	}
	if h := tags[2].History[4]; !h.Day.Equal(today.Add(-4*24*time.Hour)) || h.Uses != 3 {
		t.Errorf("old four days ago = %+v, want 3 uses", h)
	}

	page, err := s.TrendingTags(ctx, nil, 1, 1)
	if err != nil || len(page) != 1 || page[0].Name != "spam" {
		t.Errorf("TrendingTags(1, 1) = %v, %v; want [spam]", page, err)
	}
	_, err = s.TrendingTags(ctx, nil, 0, 0)
	wantKind(t, err, KindInvalid)
}

func TestTrendingStatuses(t *testing.T) {
	ctx := context.Background()
	clock := &trendClock{now: time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)}
	s, _ := newService(t, Deps{Now: clock.Now}, Config{})
	alice, bob, carol, dave := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol"), mustAccount(t, s, "dave")
	now := clock.now
	post := func(a *store.Account, ago time.Duration, vis store.Visibility, fans ...*store.Account) *store.Status {
		t.Helper()
		clock.now = now.Add(-ago)
		st, err := s.PostStatus(ctx, a, StatusInput{Text: "hello", Visibility: string(vis)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fans {
			if _, err := s.Favourite(ctx, f, st.ID); err != nil {
				t.Fatal(err)
			}
		}
		return st
	}
	fresh := post(alice, time.Hour, store.VisibilityPublic, bob)                   // 1·0.97
	older := post(bob, 2*24*time.Hour, store.VisibilityPublic, alice, carol, dave) // 3·0.25
	popular := post(carol, 12*time.Hour, store.VisibilityPublic, alice, bob)       // 2·0.71
	post(alice, time.Hour, store.VisibilityUnlisted, bob, carol)                   // not public
	post(alice, 4*24*time.Hour, store.VisibilityPublic, bob, carol, dave)          // too old
	post(dave, time.Hour, store.VisibilityPublic)                                  // no engagement
	clock.now = now

	ids := func(sts []*store.Status) []int64 {
		var out []int64
		for _, st := range sts {
			out = append(out, st.ID)
		}
		return out
	}
	got, err := s.TrendingStatuses(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{popular.ID, fresh.ID, older.ID}; !slices.Equal(ids(got), want) {
		t.Fatalf("anonymous trending = %v, want %v", ids(got), want)
	}
	// dave blocks carol and mutes bob: both their statuses go.
	if _, err := s.Block(ctx, dave, carol.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mute(ctx, dave, bob.ID, MuteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err = s.TrendingStatuses(ctx, dave, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{fresh.ID}; !slices.Equal(ids(got), want) {
		t.Errorf("dave's trending = %v, want %v", ids(got), want)
	}
	// A mute hides one way only: bob, muted by dave, still sees everything;
	// the second page of two starts after popular.
	got, err = s.TrendingStatuses(ctx, bob, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{fresh.ID, older.ID}; !slices.Equal(ids(got), want) {
		t.Errorf("bob's trending page 2 = %v, want %v", ids(got), want)
	}
}

func TestSearchFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, Deps{}, Config{})
	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	post := func(a *store.Account, text string) *store.Status {
		t.Helper()
		st, err := s.PostStatus(ctx, a, StatusInput{Text: text, Visibility: "public"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	byAlice, byBob := post(alice, "kingfisher #birdwatch"), post(bob, "kingfisher #birds")
	if _, err := s.Follow(ctx, carol, bob.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}

	res, err := s.Search(ctx, carol, SearchInput{Query: "kingfisher", Limit: 10, AccountID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Statuses) != 1 || res.Statuses[0].ID != byAlice.ID {
		t.Errorf("account_id=alice statuses = %v, want [%d]", res.Statuses, byAlice.ID)
	}
	res, err = s.Search(ctx, carol, SearchInput{Query: "kingfisher", Type: SearchTypeStatuses, Limit: 10, Following: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Statuses) != 1 || res.Statuses[0].ID != byBob.ID || len(res.Accounts) != 0 || len(res.Tags) != 0 {
		t.Errorf("following statuses = %+v, want only [%d]", res, byBob.ID)
	}
	res, err = s.Search(ctx, nil, SearchInput{Query: "#bird", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tags) != 2 || res.Tags[0].Name != "birds" || res.Tags[1].Name != "birdwatch" || len(res.Statuses) != 0 {
		t.Errorf("anonymous #bird = %+v, want tags birds, birdwatch and no statuses", res)
	}
	_, err = s.Search(ctx, nil, SearchInput{Query: "bird", Limit: 10, Offset: 1})
	wantKind(t, err, KindUnauthorized)
	_, err = s.Search(ctx, nil, SearchInput{Query: "bird", Limit: 10, Resolve: true})
	wantKind(t, err, KindUnauthorized)
	res, err = s.Search(ctx, carol, SearchInput{Query: "  ", Limit: 10})
	if err != nil || len(res.Accounts)+len(res.Tags)+len(res.Statuses) != 0 {
		t.Errorf("blank query = %+v, %v; want nothing", res, err)
	}
}
