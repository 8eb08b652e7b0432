package social

import (
	"context"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// TestNotificationGroupWindows: favourites of one status group within the
// same 12-hour window and not across windows; favourites of another status
// and follows form groups of their own; mentions are never grouped, and a
// type left out of grouped_types is shown ungrouped.
func TestNotificationGroupWindows(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 0, 30, 0, 0, time.UTC)
	s, _ := newService(t, Deps{Now: func() time.Time { return now }}, DefaultConfig())
	owner := mustAccount(t, s, "owner")
	first, err := s.PostStatus(ctx, owner, StatusInput{Text: "first"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.PostStatus(ctx, owner, StatusInput{Text: "second"})
	if err != nil {
		t.Fatal(err)
	}
	fans := []*store.Account{mustAccount(t, s, "a"), mustAccount(t, s, "b"), mustAccount(t, s, "c"), mustAccount(t, s, "d")}
	for _, f := range fans[:2] {
		if _, err := s.Favourite(ctx, f, first.ID); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(3 * time.Hour) // the same window
	if _, err := s.Favourite(ctx, fans[2], first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Favourite(ctx, fans[0], second.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(12 * time.Hour) // the next window
	if _, err := s.Favourite(ctx, fans[3], first.ID); err != nil {
		t.Fatal(err)
	}
	for _, f := range fans[:2] {
		if _, err := s.Follow(ctx, f, owner.ID, FollowOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostStatus(ctx, f, StatusInput{Text: "@owner hi"}); err != nil {
			t.Fatal(err)
		}
	}

	page, err := s.GroupedNotifications(ctx, owner, GroupedFilter{}, store.Page{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	type group struct {
		typ   store.NotificationType
		count int64
	}
	var got []group
	for _, g := range page.Groups {
		got = append(got, group{g.Latest.Notification.Type, g.Count})
	}
	want := []group{
		{store.NotificationMention, 1}, {store.NotificationFollow, 2}, {store.NotificationMention, 1},
		{store.NotificationFavourite, 1}, // first, next window
		{store.NotificationFavourite, 1}, // second
		{store.NotificationFavourite, 3}, // first, first window
	}
	if len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("group %d = %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
	if g := page.Groups[len(page.Groups)-1]; len(g.SampleAccounts) != 3 || g.SampleAccounts[0].ID != fans[2].ID {
		t.Errorf("samples of the first window's group: %v", g.SampleAccounts)
	}

	// Only mentions grouped (that is: none of these): every notification
	// on its own.
	ungrouped, err := s.GroupedNotifications(ctx, owner, GroupedFilter{GroupedTypes: []store.NotificationType{store.NotificationMention}}, store.Page{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(ungrouped.Groups) != 9 {
		t.Errorf("%d groups with grouping off, want 9", len(ungrouped.Groups))
	}
	n, err := s.UnreadNotifications(ctx, owner, GroupedFilter{}, 100, true)
	if err != nil || n != 6 {
		t.Errorf("unread groups = %d, %v; want 6", n, err)
	}
}
