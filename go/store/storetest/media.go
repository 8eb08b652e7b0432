package storetest

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// newMedia returns an unsaved, unattached image of a's with distinct keys.
func newMedia(a *store.Account, n int) *store.MediaAttachment {
	id := nextID()
	key := func(kind string) string { return kind + "-" + strconv.FormatInt(id, 10) + ".jpg" }
	return &store.MediaAttachment{ID: id, AccountID: a.ID, Type: "image", FileKey: key("file"),
		PreviewKey: key("small"), ContentType: "image/jpeg", FileSize: 12345, Width: 1200, Height: 800,
		SmallWidth: 588, SmallHeight: 392, Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj", Description: "a cät",
		FocusX: -0.25, FocusY: 0.5, CreatedAt: testTime(n)}
}

func exerciseMedia(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTripUpdate", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		m := newMedia(alice, 1)
		mustNot(t, s.PutMediaAttachment(ctx, m, 10), "PutMediaAttachment")
		got, err := s.GetMediaAttachmentByID(ctx, m.ID)
		mustNot(t, err, "GetMediaAttachmentByID")
		checkTime(t, "created_at", got.CreatedAt, m.CreatedAt)
		want := *m
		want.CreatedAt = got.CreatedAt
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, &want)
		}
		m.Description, m.FocusX, m.FocusY, m.Width = "a dög", 0.75, -1, 1
		mustNot(t, s.UpdateMediaAttachment(ctx, m, "description", "focus_x", "focus_y"), "UpdateMediaAttachment")
		got, err = s.GetMediaAttachmentByID(ctx, m.ID)
		mustNot(t, err, "GetMediaAttachmentByID after update")
		if got.Description != "a dög" || got.FocusX != 0.75 || got.FocusY != -1 || got.Width != 1200 {
			t.Errorf("after update = %+v (width must not change)", got)
		}
		if err := s.UpdateMediaAttachment(ctx, m, "width"); err == nil {
			t.Error("updating width: no error, want one")
		}
		mustBeErrNotFound(t, s.UpdateMediaAttachment(ctx, &store.MediaAttachment{ID: nextID()}, "description"),
			"UpdateMediaAttachment of a missing one")
		_, err = s.GetMediaAttachmentByID(ctx, nextID())
		mustBeErrNotFound(t, err, "GetMediaAttachmentByID of a missing one")
		mustBeErrNotFound(t, s.PutMediaAttachment(ctx, newMedia(&store.Account{ID: nextID()}, 1), 10),
			"PutMediaAttachment of a missing account")
	})

	t.Run("CapCountsUnattached", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		first, second := newMedia(alice, 1), newMedia(alice, 2)
		mustNot(t, s.PutMediaAttachment(ctx, first, 2), "first")
		mustNot(t, s.PutMediaAttachment(ctx, second, 2), "second")
		if err := s.PutMediaAttachment(ctx, newMedia(alice, 3), 2); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("a third with max 2: %v, want ErrLimit", err)
		}
		mustNot(t, s.PutMediaAttachment(ctx, newMedia(bob, 3), 2), "bob's own cap")
		// Attached media no longer count.
		putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 4), MediaIDs: []int64{first.ID}})
		mustNot(t, s.PutMediaAttachment(ctx, newMedia(alice, 5), 2), "after attaching one")
		// The rate counts every upload since, attached or not.
		n, err := s.CountMediaSince(ctx, alice.ID, testTime(2))
		mustNot(t, err, "CountMediaSince")
		if n != 2 {
			t.Errorf("alice's uploads since testTime(2) = %d, want 2", n)
		}
		if n, err = s.CountMediaSince(ctx, alice.ID, testTime(0)); err != nil || n != 3 {
			t.Errorf("alice's uploads = %d, %v; want 3", n, err)
		}
	})

	t.Run("AttachOrderAndRules", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		var ms []*store.MediaAttachment
		for i := range 3 {
			m := newMedia(alice, i)
			mustNot(t, s.PutMediaAttachment(ctx, m, 10), "PutMediaAttachment")
			ms = append(ms, m)
		}
		st := putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 10), MediaIDs: []int64{ms[2].ID, ms[0].ID}})
		byStatus, err := s.GetStatusMedia(ctx, []int64{st.ID, nextID()})
		mustNot(t, err, "GetStatusMedia")
		if len(byStatus) != 1 {
			t.Fatalf("GetStatusMedia = %d statuses, want 1", len(byStatus))
		}
		got := byStatus[st.ID]
		if len(got) != 2 || got[0].ID != ms[2].ID || got[1].ID != ms[0].ID || got[0].StatusID != st.ID {
			t.Fatalf("status media = %+v, want ids %d, %d in that order", got, ms[2].ID, ms[0].ID)
		}
		// Attached already, someone else's, missing: the write fails whole.
		for name, ids := range map[string][]int64{
			"attached":       {ms[1].ID, ms[0].ID},
			"someone else's": {ms[1].ID, putBobMedia(t, s, bob).ID},
			"missing":        {ms[1].ID, nextID()},
		} {
			sts := newStatus(alice, 11)
			err := s.PutStatusWrite(ctx, &store.StatusWrite{Status: sts, MediaIDs: ids})
			mustBeErrConflict(t, err, "PutStatusWrite with "+name+" media")
			_, err = s.GetStatusByID(ctx, sts.ID)
			mustBeErrNotFound(t, err, "the status refused for "+name+" media")
			m, err := s.GetMediaAttachmentByID(ctx, ms[1].ID)
			mustNot(t, err, "GetMediaAttachmentByID")
			if m.StatusID != 0 {
				t.Errorf("%s: the first media was attached by a failed write", name)
			}
		}
		all, err := s.GetMediaAttachmentsByIDs(ctx, []int64{ms[0].ID, ms[1].ID, nextID()})
		mustNot(t, err, "GetMediaAttachmentsByIDs")
		if len(all) != 2 {
			t.Errorf("GetMediaAttachmentsByIDs = %d, want 2", len(all))
		}
		// Deleting the status deletes its media, not the others.
		_, _, err = s.DeleteStatusByID(ctx, st.ID)
		mustNot(t, err, "DeleteStatusByID")
		_, err = s.GetMediaAttachmentByID(ctx, ms[0].ID)
		mustBeErrNotFound(t, err, "media of a deleted status")
		_, err = s.GetMediaAttachmentByID(ctx, ms[1].ID)
		mustNot(t, err, "unattached media after a delete")
		used, err := s.IsMediaFileUsed(ctx, ms[0].FileKey)
		mustNot(t, err, "IsMediaFileUsed")
		if used {
			t.Error("the deleted media's file is still used")
		}
		for _, key := range []string{ms[1].FileKey, ms[1].PreviewKey} {
			used, err = s.IsMediaFileUsed(ctx, key)
			mustNot(t, err, "IsMediaFileUsed")
			if !used {
				t.Errorf("%s is not used, want used", key)
			}
		}
	})

	t.Run("UnattachedCleanup", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		old, attached, fresh := newMedia(alice, 1), newMedia(alice, 2), newMedia(alice, 100)
		for _, m := range []*store.MediaAttachment{old, attached, fresh} {
			mustNot(t, s.PutMediaAttachment(ctx, m, 10), "PutMediaAttachment")
		}
		putStatusW(t, s, &store.StatusWrite{Status: newStatus(alice, 3), MediaIDs: []int64{attached.ID}})
		got, err := s.ListUnattachedMedia(ctx, testTime(50), 10)
		mustNot(t, err, "ListUnattachedMedia")
		if len(got) != 1 || got[0].ID != old.ID {
			t.Fatalf("unattached before testTime(50) = %+v, want only %d", got, old.ID)
		}
		mustNot(t, s.DeleteMediaAttachmentByID(ctx, old.ID), "DeleteMediaAttachmentByID")
		mustBeErrNotFound(t, s.DeleteMediaAttachmentByID(ctx, attached.ID), "DeleteMediaAttachmentByID of attached media")
		mustBeErrNotFound(t, s.DeleteMediaAttachmentByID(ctx, old.ID), "DeleteMediaAttachmentByID again")
	})
}

func putBobMedia(t *testing.T, s store.Store, bob *store.Account) *store.MediaAttachment {
	t.Helper()
	m := newMedia(bob, 1)
	mustNot(t, s.PutMediaAttachment(t.Context(), m, 10), "PutMediaAttachment bob")
	return m
}

func exerciseProfileImages(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("KeysRoundTripAndCountAsUsed", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		putAccount(t, s, "bob") // no images: "" is not a key in use
		got, err := s.GetAccountByID(ctx, alice.ID)
		mustNot(t, err, "GetAccountByID")
		if got.AvatarKey != "" || got.HeaderKey != "" {
			t.Fatalf("a new account has images %q, %q", got.AvatarKey, got.HeaderKey)
		}
		alice.AvatarKey, alice.HeaderKey = "avatar.png", "header.jpg"
		mustNot(t, s.UpdateAccount(ctx, alice, "avatar_key", "header_key"), "UpdateAccount")
		got, err = s.GetAccountByID(ctx, alice.ID)
		mustNot(t, err, "GetAccountByID")
		if got.AvatarKey != "avatar.png" || got.HeaderKey != "header.jpg" {
			t.Errorf("keys = %q, %q", got.AvatarKey, got.HeaderKey)
		}
		for key, want := range map[string]bool{"avatar.png": true, "header.jpg": true, "other.png": false, "": false} {
			used, err := s.IsMediaFileUsed(ctx, key)
			mustNot(t, err, "IsMediaFileUsed")
			if used != want {
				t.Errorf("IsMediaFileUsed(%q) = %v, want %v", key, used, want)
			}
		}
	})
}

func exerciseProfileFields(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		got, err := s.GetAccountByID(ctx, alice.ID)
		mustNot(t, err, "GetAccountByID")
		if got.Fields != nil {
			t.Fatalf("a new account has fields %v", got.Fields)
		}
		alice.Fields = []store.ProfileField{{Name: "Site", Value: "https://alice.example"}, {Name: "Pronöuns", Value: `she/her "quoted" <b>`}}
		mustNot(t, s.UpdateAccount(ctx, alice, "fields"), "UpdateAccount fields")
		for _, get := range []func() (*store.Account, error){
			func() (*store.Account, error) { return s.GetAccountByID(ctx, alice.ID) },
			func() (*store.Account, error) { return s.GetAccountByUsername(ctx, "ALICE") },
		} {
			got, err := get()
			mustNot(t, err, "get account")
			if !reflect.DeepEqual(got.Fields, alice.Fields) {
				t.Errorf("fields = %v, want %v", got.Fields, alice.Fields)
			}
		}
		alice.Fields = nil
		mustNot(t, s.UpdateAccount(ctx, alice, "fields"), "UpdateAccount no fields")
		got, err = s.GetAccountByID(ctx, alice.ID)
		mustNot(t, err, "GetAccountByID")
		if got.Fields != nil {
			t.Errorf("cleared fields = %v", got.Fields)
		}
	})
}
