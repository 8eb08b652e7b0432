package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseStatusEdits(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("VersionsTagsMentionsNotifications", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: st, Tags: []string{"old"}, Mentions: []int64{bob.ID}}), "PutStatusWrite")
		if got, err := s.ListStatusEdits(ctx, st.ID); err != nil || len(got) != 0 {
			t.Fatalf("ListStatusEdits of an unedited status = %v, %v; want none", got, err)
		}
		mustNot(t, s.PutStatusVectors(ctx, "m1", []store.StatusEmbedding{{StatusID: st.ID, Embedding: []float32{1, 0}}}), "PutStatusVectors")
		edited := *st
		edited.Text, edited.Content, edited.SpoilerText, edited.Sensitive, edited.Language = "new", "<p>new</p>", "cw", true, "fr"
		at := testTime(5)
		edited.EditedAt = &at
		n := newNotification(carol, alice, store.NotificationUpdate, st.ID)
		mustNot(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: nextID(), EditID: nextID(),
			Tags: []string{"new"}, Mentions: []int64{carol.ID}, Notifications: []*store.Notification{n}, MaxVersions: 3}), "EditStatus")

		got, err := s.GetStatusByID(ctx, st.ID)
		mustNot(t, err, "GetStatusByID")
		if got.Text != "new" || got.Content != "<p>new</p>" || got.SpoilerText != "cw" || !got.Sensitive || got.Language != "fr" {
			t.Errorf("edited status = %+v", got)
		}
		checkTimePtr(t, "Status.EditedAt", got.EditedAt, &at)
		versions, err := s.ListStatusEdits(ctx, st.ID)
		mustNot(t, err, "ListStatusEdits")
		if len(versions) != 2 || versions[0].Text != "status 1" || versions[1].Text != "new" || versions[1].SpoilerText != "cw" {
			t.Fatalf("versions = %+v, want the original then the edit", versions)
		}
		checkTime(t, "original version CreatedAt", versions[0].CreatedAt, st.CreatedAt)
		checkTime(t, "edit CreatedAt", versions[1].CreatedAt, at)
		tags, err := s.GetStatusTags(ctx, []int64{st.ID})
		mustNot(t, err, "GetStatusTags")
		if !slices.Equal(tags[st.ID], []string{"new"}) {
			t.Errorf("tags after edit = %v, want [new]", tags[st.ID])
		}
		ms, err := s.GetStatusMentions(ctx, []int64{st.ID})
		mustNot(t, err, "GetStatusMentions")
		if want := []int64{bob.ID, carol.ID}; !sameIDs(ms[st.ID], want) {
			t.Errorf("mentions after edit = %v, want %v (an edit adds, never drops)", ms[st.ID], want)
		}
		if _, err := s.GetNotificationByID(ctx, n.ID); err != nil {
			t.Errorf("update notification not stored with the edit: %v", err)
		}
		// The vector was made from the old text; the embedder makes anew.
		if vs, err := s.ListStatusVectors(ctx, "m1", 0, 10); err != nil || len(vs) != 0 {
			t.Errorf("vectors after an edit = %v, %v; want none", vs, err)
		}

		// A third version is within MaxVersions 3; a fourth is not, and
		// stores nothing.
		edited.Text = "third"
		mustNot(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: nextID(), EditID: nextID(), MaxVersions: 3}), "third version")
		edited.Text = "fourth"
		err = s.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: nextID(), EditID: nextID(), MaxVersions: 3})
		if !errors.Is(err, store.ErrLimit) {
			t.Fatalf("fourth version: %v, want ErrLimit", err)
		}
		if got, _ := s.GetStatusByID(ctx, st.ID); got.Text != "third" {
			t.Errorf("a refused edit changed the status to %q", got.Text)
		}

		// Reblogs and missing statuses cannot be edited.
		rb := newStatus(bob, 2)
		rb.ReblogOfID, rb.Text, rb.Content = st.ID, "", ""
		mustNot(t, s.PutStatus(ctx, rb), "PutStatus reblog")
		rbEdit := *rb
		rbEdit.EditedAt = &at
		mustBeErrNotFound(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: &rbEdit, OriginalEditID: nextID(), EditID: nextID(), MaxVersions: 3}), "edit a reblog")
		gone := newStatus(alice, 3)
		gone.EditedAt = &at
		mustBeErrNotFound(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: gone, OriginalEditID: nextID(), EditID: nextID(), MaxVersions: 3}), "edit a missing status")

		// The versions go with their status.
		_, _, err = s.DeleteStatusByID(ctx, st.ID)
		mustNot(t, err, "DeleteStatusByID")
		if versions, err := s.ListStatusEdits(ctx, st.ID); err != nil || len(versions) != 0 {
			t.Errorf("versions after delete = %v, %v", versions, err)
		}
	})

	t.Run("VersionMedia", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		a, b, c := newMedia(alice, 1), newMedia(alice, 2), newMedia(alice, 3)
		for _, m := range []*store.MediaAttachment{a, b, c} {
			mustNot(t, s.PutMediaAttachment(ctx, m, 10), "PutMediaAttachment")
		}
		st := newStatus(alice, 4)
		putStatusW(t, s, &store.StatusWrite{Status: st, MediaIDs: []int64{a.ID, b.ID}})
		edited := *st
		at := testTime(5)
		edited.EditedAt = &at
		ids := []int64{c.ID, a.ID}
		mustNot(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: nextID(), EditID: nextID(),
			MaxVersions: 5, MediaIDs: &ids, DetachedAt: at,
			MediaUpdates: []*store.MediaAttachment{{ID: a.ID, Description: "then", FocusX: 0, FocusY: 0}}}), "EditStatus")
		// A later edit without media changes keeps them, described anew.
		at2 := testTime(6)
		edited.EditedAt = &at2
		mustNot(t, s.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: nextID(), EditID: nextID(),
			MaxVersions: 5, MediaUpdates: []*store.MediaAttachment{{ID: a.ID, Description: "now"}}}), "EditStatus")
		versions, err := s.ListStatusEdits(ctx, st.ID)
		mustNot(t, err, "ListStatusEdits")
		want := [][]store.EditMedia{
			{{ID: a.ID, Description: a.Description}, {ID: b.ID, Description: b.Description}},
			{{ID: c.ID, Description: c.Description}, {ID: a.ID, Description: "then"}},
			{{ID: c.ID, Description: c.Description}, {ID: a.ID, Description: "now"}},
		}
		if len(versions) != len(want) {
			t.Fatalf("%d versions, want %d", len(versions), len(want))
		}
		for i, v := range versions {
			if !slices.Equal(v.Media, want[i]) {
				t.Errorf("version %d media = %+v, want %+v", i, v.Media, want[i])
			}
		}
	})

	t.Run("NotificationGroups", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol, dave := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol"), putAccount(t, s, "dave")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		grouped := func(from *store.Account, key string) *store.Notification {
			n := newNotification(alice, from, store.NotificationFavourite, st.ID)
			n.GroupKey = key
			mustNot(t, s.PutNotification(ctx, n), "PutNotification")
			return n
		}
		grouped(bob, "favourite-a")
		grouped(carol, "favourite-a")
		latest := grouped(dave, "favourite-a")
		other := grouped(bob, "favourite-b")
		mention := newNotification(alice, bob, store.NotificationMention, st.ID)
		mustNot(t, s.PutNotification(ctx, mention), "PutNotification mention")

		got, err := s.GetNotificationByID(ctx, latest.ID)
		mustNot(t, err, "GetNotificationByID")
		if got.GroupKey != "favourite-a" {
			t.Errorf("GroupKey = %q, want favourite-a", got.GroupKey)
		}
		groups, err := s.GetNotificationGroups(ctx, alice.ID, []string{"favourite-a", "favourite-b", "favourite-none"}, 2, 100)
		mustNot(t, err, "GetNotificationGroups")
		a := groups["favourite-a"]
		if len(groups) != 2 || a == nil || a.Count != 3 || a.LatestID != latest.ID ||
			!slices.Equal(a.SampleAccountIDs, []int64{dave.ID, carol.ID}) {
			t.Fatalf("groups = %v; favourite-a = %+v", groups, a)
		}
		if b := groups["favourite-b"]; b.Count != 1 || b.LatestID != other.ID {
			t.Errorf("favourite-b = %+v", b)
		}
		// The count stops at maxCount: a huge group is never counted whole.
		capped, err := s.GetNotificationGroups(ctx, alice.ID, []string{"favourite-a"}, 8, 2)
		mustNot(t, err, "GetNotificationGroups capped")
		if a := capped["favourite-a"]; a.Count != 2 || len(a.SampleAccountIDs) != 3 {
			t.Errorf("capped favourite-a = %+v, want count 2 and all 3 samples", a)
		}
		if g, err := s.GetNotificationGroups(ctx, bob.ID, []string{"favourite-a"}, 8, 100); err != nil || len(g) != 0 {
			t.Errorf("another recipient's groups = %v, %v", g, err)
		}
		ns, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: alice.ID, GroupKey: "favourite-a", Page: everything})
		mustNot(t, err, "ListNotifications by group")
		if len(ns) != 3 || ns[0].ID != latest.ID {
			t.Errorf("group favourite-a lists %v", notificationIDs(ns))
		}

		mustNot(t, s.DeleteNotificationGroup(ctx, bob.ID, "favourite-a"), "dismiss another recipient's group")
		mustNot(t, s.DeleteNotificationGroup(ctx, alice.ID, "favourite-a"), "DeleteNotificationGroup")
		left, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: alice.ID, Page: everything})
		mustNot(t, err, "ListNotifications")
		if !slices.Equal(notificationIDs(left), []int64{mention.ID, other.ID}) {
			t.Errorf("after dismissing favourite-a: %v, want %v", notificationIDs(left), []int64{mention.ID, other.ID})
		}
	})
}
