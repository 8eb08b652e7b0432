package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func newAnnouncement(text string, n int, startsAt, endsAt *time.Time) *store.Announcement {
	return &store.Announcement{ID: nextID(), Text: text, Content: "<p>" + text + "</p>", StartsAt: startsAt, EndsAt: endsAt,
		PublishedAt: testTime(n), UpdatedAt: testTime(n + 1)}
}

func exerciseAnnouncements(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("WindowsAndDismissals", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		now := testTime(100)
		past, future := testTime(50), testTime(150)
		open := newAnnouncement("open", 1, nil, nil)
		open.AllDay = true
		running := newAnnouncement("running", 2, &past, &future)
		ended := newAnnouncement("ended", 3, nil, &past)
		pending := newAnnouncement("pending", 4, &future, nil)
		for _, a := range []*store.Announcement{running, open, ended, pending} {
			mustNot(t, s.PutAnnouncement(ctx, a, nil), "PutAnnouncement")
		}
		got, err := s.GetAnnouncementByID(ctx, running.ID)
		mustNot(t, err, "GetAnnouncementByID")
		checkAnnouncement(t, got, running)
		active, err := s.ListActiveAnnouncements(ctx, now, 10)
		mustNot(t, err, "ListActiveAnnouncements")
		if len(active) != 2 || active[0].ID != open.ID || active[1].ID != running.ID {
			t.Fatalf("active announcements = %+v, want open then running (by publication)", active)
		}
		checkAnnouncement(t, active[0], open)
		active, err = s.ListActiveAnnouncements(ctx, now, 1)
		mustNot(t, err, "ListActiveAnnouncements limit 1")
		if len(active) != 1 {
			t.Errorf("limit 1 gave %d", len(active))
		}
		all, err := s.ListAnnouncements(ctx)
		mustNot(t, err, "ListAnnouncements")
		if len(all) != 4 || all[0].ID != pending.ID {
			t.Errorf("all announcements: %d, first %d; want 4, newest first", len(all), all[0].ID)
		}

		mustNot(t, s.PutAnnouncementDismissal(ctx, alice.ID, open.ID), "PutAnnouncementDismissal")
		mustNot(t, s.PutAnnouncementDismissal(ctx, alice.ID, open.ID), "PutAnnouncementDismissal twice")
		mustBeErrNotFound(t, s.PutAnnouncementDismissal(ctx, alice.ID, nextID()), "PutAnnouncementDismissal of a missing one")
		dismissed, err := s.GetDismissedAnnouncementIDs(ctx, alice.ID, []int64{open.ID, running.ID})
		mustNot(t, err, "GetDismissedAnnouncementIDs")
		if len(dismissed) != 1 || !dismissed[open.ID] {
			t.Errorf("alice dismissed %v, want only open", dismissed)
		}
		dismissed, err = s.GetDismissedAnnouncementIDs(ctx, bob.ID, []int64{open.ID})
		mustNot(t, err, "GetDismissedAnnouncementIDs bob")
		if len(dismissed) != 0 {
			t.Errorf("bob dismissed %v", dismissed)
		}

		mustNot(t, s.DeleteAnnouncement(ctx, open.ID, nil), "DeleteAnnouncement")
		mustBeErrNotFound(t, s.DeleteAnnouncement(ctx, open.ID, nil), "DeleteAnnouncement twice")
		_, err = s.GetAnnouncementByID(ctx, open.ID)
		mustBeErrNotFound(t, err, "GetAnnouncementByID after delete")
	})

	t.Run("Reactions", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		a, b := newAnnouncement("a", 1, nil, nil), newAnnouncement("b", 2, nil, nil)
		mustNot(t, s.PutAnnouncement(ctx, a, nil), "PutAnnouncement")
		mustNot(t, s.PutAnnouncement(ctx, b, nil), "PutAnnouncement")
		react := func(who *store.Account, to *store.Announcement, name string, n int) error {
			return s.PutAnnouncementReaction(ctx, &store.AnnouncementReaction{AnnouncementID: to.ID, AccountID: who.ID,
				Name: name, CreatedAt: testTime(n)}, 2)
		}
		mustNot(t, react(alice, a, "🎉", 1), "react")
		mustNot(t, react(bob, a, "🎉", 2), "react")
		mustNot(t, react(bob, a, "👍", 3), "react")
		mustBeErrConflict(t, react(bob, a, "👍", 4), "react twice")
		if err := react(alice, a, "🔥", 5); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("a third name with max 2: %v, want ErrLimit", err)
		}
		mustNot(t, react(alice, a, "👍", 6), "a name already there at the limit")
		mustNot(t, react(alice, b, "🔥", 7), "react to b")
		mustBeErrNotFound(t, react(alice, &store.Announcement{ID: nextID()}, "🎉", 8), "react to a missing announcement")

		counts, err := s.GetReactionCounts(ctx, []int64{a.ID, b.ID}, bob.ID)
		mustNot(t, err, "GetReactionCounts")
		want := []store.ReactionCount{
			{AnnouncementID: a.ID, Name: "🎉", Count: 2, Me: true},
			{AnnouncementID: a.ID, Name: "👍", Count: 2, Me: true},
			{AnnouncementID: b.ID, Name: "🔥", Count: 1, Me: false},
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("counts = %+v\nwant %+v", counts, want)
		}
		mustNot(t, s.DeleteAnnouncementReaction(ctx, bob.ID, a.ID, "👍"), "DeleteAnnouncementReaction")
		mustBeErrNotFound(t, s.DeleteAnnouncementReaction(ctx, bob.ID, a.ID, "👍"), "DeleteAnnouncementReaction twice")
		counts, err = s.GetReactionCounts(ctx, []int64{a.ID}, 0)
		mustNot(t, err, "GetReactionCounts nobody")
		want = []store.ReactionCount{
			{AnnouncementID: a.ID, Name: "🎉", Count: 2},
			{AnnouncementID: a.ID, Name: "👍", Count: 1},
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("counts after removal = %+v\nwant %+v", counts, want)
		}
		// Deleting the announcement takes its reactions along.
		mustNot(t, s.DeleteAnnouncement(ctx, a.ID, nil), "DeleteAnnouncement")
		counts, err = s.GetReactionCounts(ctx, []int64{a.ID}, 0)
		mustNot(t, err, "GetReactionCounts of a deleted announcement")
		if len(counts) != 0 {
			t.Errorf("reactions outlived their announcement: %+v", counts)
		}
	})
}

func checkAnnouncement(t *testing.T, got, want *store.Announcement) {
	t.Helper()
	checkTime(t, "Announcement.PublishedAt", got.PublishedAt, want.PublishedAt)
	checkTime(t, "Announcement.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	checkTimePtr(t, "Announcement.StartsAt", got.StartsAt, want.StartsAt)
	checkTimePtr(t, "Announcement.EndsAt", got.EndsAt, want.EndsAt)
	g, w := *got, *want
	g.PublishedAt, w.PublishedAt, g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.StartsAt, w.StartsAt, g.EndsAt, w.EndsAt = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("announcement:\n got %+v\nwant %+v", g, w)
	}
}
