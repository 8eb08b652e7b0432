package social

import (
	"context"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func homeIDs(t *testing.T, s *Service, viewer *store.Account) []int64 {
	t.Helper()
	sts, err := s.HomeTimeline(context.Background(), viewer, store.Page{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

// usersOf returns the user streams of the last update event published for
// status id.
func (r *recorder) usersOf(kind EventKind, id int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		ev := r.events[i]
		if ev.Kind == kind && (ev.Status != nil && ev.Status.ID == id || ev.StatusID == id) {
			return ev.Users
		}
	}
	return nil
}

// Home and the user stream agree on what a followee's statuses bring:
// direct statuses only when they mention the viewer, reblogs only when the
// follow shows them (Mastodon's fan-out rules).
func TestHomeAndUserStreamAgree(t *testing.T) {
	pub := &recorder{}
	s, _ := newService(t, Deps{Publisher: pub}, Config{})
	ctx := context.Background()
	author, booster, other := mustAccount(t, s, "author"), mustAccount(t, s, "booster"), mustAccount(t, s, "other")
	me, quiet, stranger := mustAccount(t, s, "me"), mustAccount(t, s, "quiet"), mustAccount(t, s, "stranger")
	off := false
	for _, v := range []*store.Account{me, quiet} {
		follow(t, s, v, author)
	}
	follow(t, s, me, booster)
	if _, err := s.Follow(ctx, quiet, booster.ID, FollowOptions{Reblogs: &off}); err != nil {
		t.Fatal(err)
	}

	toMe := postIn(t, s, author, StatusInput{Text: "psst @me", Visibility: "direct"})
	toStranger := postIn(t, s, author, StatusInput{Text: "psst @stranger", Visibility: "direct"})
	// A status of an account they do not follow: a reblog of one they
	// see (the author's) would be left out as a repeat (feed/reblogs.go).
	pub1 := postIn(t, s, other, StatusInput{Text: "hello all"})
	boost, err := s.Reblog(ctx, booster, pub1.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	own := postIn(t, s, booster, StatusInput{Text: "booster's own"})

	tests := []struct {
		name   string
		viewer *store.Account
		status *store.Status
		want   bool
	}{
		{"mentioned follower gets the direct status", me, toMe, true},
		{"unmentioned follower does not", quiet, toMe, false},
		{"a direct status to a non-follower stays out of homes", me, toStranger, false},
		{"mentioned non-follower: notification only", stranger, toStranger, false},
		{"reblogs shown by default", me, boost, true},
		{"reblogs=false hides the followee's reblogs", quiet, boost, false},
		{"reblogs=false keeps the followee's own statuses", quiet, own, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slices.Contains(homeIDs(t, s, tt.viewer), tt.status.ID); got != tt.want {
				t.Errorf("in %s's home = %v, want %v", tt.viewer.Username, got, tt.want)
			}
			if got := slices.Contains(pub.usersOf(EventUpdate, tt.status.ID), tt.viewer.ID); got != tt.want {
				t.Errorf("on %s's user stream = %v, want %v", tt.viewer.Username, got, tt.want)
			}
		})
	}

	// Turning reblogs back on shows them again (Mastodon changes the
	// follow in place).
	on := true
	if _, err := s.Follow(ctx, quiet, booster.ID, FollowOptions{Reblogs: &on}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(homeIDs(t, s, quiet), boost.ID) {
		t.Error("reblogs=true again: the reblog is still hidden")
	}
}

// Deleting a status deletes its reblogs too; each gets a delete event for
// its booster's audience.
func TestDeletePublishesReblogDeletes(t *testing.T) {
	pub := &recorder{}
	s, _ := newService(t, Deps{Publisher: pub}, Config{})
	ctx := context.Background()
	author, b1, b2, fan := mustAccount(t, s, "author"), mustAccount(t, s, "b1"), mustAccount(t, s, "b2"), mustAccount(t, s, "fan")
	follow(t, s, fan, b2)
	st := postIn(t, s, author, StatusInput{Text: "boost me"})
	r1, err := s.Reblog(ctx, b1, st.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.Reblog(ctx, b2, st.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteStatus(ctx, author, st.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   int64
		want []int64
	}{{st.ID, []int64{author.ID}}, {r1.ID, []int64{b1.ID}}, {r2.ID, []int64{b2.ID, fan.ID}}} {
		got := pub.usersOf(EventDelete, c.id)
		if !slices.Equal(got, c.want) {
			t.Errorf("delete of %d reaches %v, want %v", c.id, got, c.want)
		}
	}
}
