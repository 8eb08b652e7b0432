package storetest

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseNotifications(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("FiltersAndPages", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		follow := newNotification(alice, bob, store.NotificationFollow, 0)
		fav := newNotification(alice, bob, store.NotificationFavourite, st.ID)
		reblog := newNotification(alice, carol, store.NotificationReblog, st.ID)
		mention := newNotification(alice, carol, store.NotificationMention, st.ID)
		other := newNotification(bob, carol, store.NotificationFollow, 0)
		for _, n := range []*store.Notification{follow, fav, reblog, mention, other} {
			mustNot(t, s.PutNotification(ctx, n), "PutNotification")
		}
		got, err := s.GetNotificationByID(ctx, follow.ID)
		mustNot(t, err, "GetNotificationByID")
		if got.StatusID != 0 || got.Type != store.NotificationFollow || got.FromAccountID != bob.ID {
			t.Errorf("follow notification = %+v", got)
		}

		for _, tc := range []struct {
			name string
			q    store.NotificationQuery
			want []*store.Notification
		}{
			{"All", store.NotificationQuery{}, []*store.Notification{mention, reblog, fav, follow}},
			{"Types", store.NotificationQuery{Types: []store.NotificationType{"favourite", "reblog"}}, []*store.Notification{reblog, fav}},
			{"Exclude", store.NotificationQuery{ExcludeTypes: []store.NotificationType{"follow", "mention"}}, []*store.Notification{reblog, fav}},
			{"From", store.NotificationQuery{FromAccountID: carol.ID}, []*store.Notification{mention, reblog}},
			{"MaxID", store.NotificationQuery{Page: store.Page{Limit: 2, MaxID: mention.ID}}, []*store.Notification{reblog, fav}},
			{"MinID", store.NotificationQuery{Page: store.Page{Limit: 2, MinID: follow.ID}}, []*store.Notification{reblog, fav}},
			{"SinceID", store.NotificationQuery{Page: store.Page{Limit: 2, SinceID: follow.ID}}, []*store.Notification{mention, reblog}},
		} {
			tc.q.AccountID = alice.ID
			if tc.q.Page.Limit == 0 {
				tc.q.Page.Limit = 20
			}
			got, err := s.ListNotifications(ctx, tc.q)
			mustNot(t, err, "ListNotifications "+tc.name)
			if !slices.Equal(notificationIDs(got), notificationIDs(tc.want)) {
				t.Errorf("%s: got %v, want %v", tc.name, notificationIDs(got), notificationIDs(tc.want))
			}
		}

		mustBeErrNotFound(t, s.DeleteNotification(ctx, bob.ID, follow.ID), "dismiss another account's notification")
		mustNot(t, s.DeleteNotification(ctx, alice.ID, follow.ID), "DeleteNotification")
		_, err = s.GetNotificationByID(ctx, follow.ID)
		mustBeErrNotFound(t, err, "GetNotificationByID after dismiss")
		mustNot(t, s.ClearNotifications(ctx, alice.ID), "ClearNotifications")
		left, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: alice.ID, Page: everything})
		mustNot(t, err, "ListNotifications after clear")
		if len(left) != 0 {
			t.Errorf("%d notifications after clear", len(left))
		}
		if _, err := s.GetNotificationByID(ctx, other.ID); err != nil {
			t.Errorf("clear took another account's notification: %v", err)
		}
	})

	t.Run("UnfavouriteTakesItsNotification", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		n := newNotification(alice, bob, store.NotificationFavourite, st.ID)
		mustNot(t, s.PutFavourite(ctx, &store.Favourite{ID: nextID(), AccountID: bob.ID, StatusID: st.ID, CreatedAt: testTime(2)}, n), "PutFavourite")
		if _, err := s.GetNotificationByID(ctx, n.ID); err != nil {
			t.Fatalf("favourite notification not stored: %v", err)
		}
		mustNot(t, s.DeleteFavourite(ctx, bob.ID, st.ID), "DeleteFavourite")
		_, err := s.GetNotificationByID(ctx, n.ID)
		mustBeErrNotFound(t, err, "notification of an undone favourite")
	})
}
