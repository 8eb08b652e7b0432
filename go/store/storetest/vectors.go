package storetest

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseStatusVectors(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("PerEmbedderPagingAndToEmbed", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var sts []*store.Status
		for i := range 5 {
			st := newStatus(alice, i)
			st.SpoilerText = "cw"
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sts = append(sts, st)
		}
		rb := reblogOf(alice, sts[0], 9)
		mustNot(t, s.PutStatus(ctx, rb), "reblog")

		toEmbed, err := s.ListStatusesToEmbed(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusesToEmbed")
		if len(toEmbed) != 5 || toEmbed[0].ID != sts[0].ID || toEmbed[0].Text != sts[0].Text || toEmbed[0].SpoilerText != "cw" {
			t.Fatalf("to embed (reblogs left out): %+v", toEmbed)
		}
		vec := func(x float32) []float32 { return []float32{x, awkwardFloats[0], -x} }
		mustNot(t, s.PutStatusVectors(ctx, "m1", []store.StatusEmbedding{
			{StatusID: sts[1].ID, Embedding: vec(1)}, {StatusID: sts[3].ID, Embedding: vec(3)},
			{StatusID: 999_999_999, Embedding: vec(9)}, // no such status: skipped
		}), "PutStatusVectors")
		mustNot(t, s.PutStatusVectors(ctx, "m2", []store.StatusEmbedding{{StatusID: sts[1].ID, Embedding: vec(7)}}), "PutStatusVectors m2")
		// Replacing keeps one row.
		mustNot(t, s.PutStatusVectors(ctx, "m1", []store.StatusEmbedding{{StatusID: sts[3].ID, Embedding: vec(4)}}), "PutStatusVectors again")

		got, err := s.ListStatusVectors(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusVectors")
		if len(got) != 2 || got[0].StatusID != sts[1].ID || got[1].StatusID != sts[3].ID {
			t.Fatalf("m1 vectors: %+v", got)
		}
		checkEmbedding(t, "m1 vector", got[0].Embedding, vec(1))
		checkEmbedding(t, "m1 replaced vector", got[1].Embedding, vec(4))
		page, err := s.ListStatusVectors(ctx, "m1", sts[1].ID, 1)
		mustNot(t, err, "ListStatusVectors page")
		if len(page) != 1 || page[0].StatusID != sts[3].ID {
			t.Fatalf("second page: %+v", page)
		}
		toEmbed, err = s.ListStatusesToEmbed(ctx, "m1", sts[0].ID, 10)
		mustNot(t, err, "ListStatusesToEmbed after")
		var ids []int64
		for _, x := range toEmbed {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, []int64{sts[2].ID, sts[4].ID}) {
			t.Fatalf("left to embed under m1 after %d: %v", sts[0].ID, ids)
		}

		// Vectors go with their status.
		_, _, err = s.DeleteStatusByID(ctx, sts[1].ID)
		mustNot(t, err, "DeleteStatusByID")
		for _, m := range []string{"m1", "m2"} {
			got, err := s.ListStatusVectors(ctx, m, 0, 10)
			mustNot(t, err, "ListStatusVectors after delete")
			for _, r := range got {
				if r.StatusID == sts[1].ID {
					t.Fatalf("%s still has the deleted status's vector", m)
				}
			}
		}
		if _, err := s.ListStatusVectors(ctx, "m1", 0, 0); err == nil {
			t.Fatal("limit 0 accepted")
		}
	})
	t.Run("SuspendedAccounts", func(t *testing.T) {
		// The live index's reads (ListStatusVectors) leave a suspended
		// account's vectors out; ListAccountStatusVectors lists them all
		// (to take out or put back); the embedding job sees them Hidden.
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		spam, bob := putAccount(t, s, "spam"), putAccount(t, s, "bob")
		var sp, bb []int64
		for i := range 3 {
			st := newStatus(spam, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			sp = append(sp, st.ID)
			st = newStatus(bob, 10+i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			bb = append(bb, st.ID)
		}
		var rows []store.StatusEmbedding
		for _, id := range append(slices.Clone(sp[:2]), bb...) {
			rows = append(rows, store.StatusEmbedding{StatusID: id, Embedding: []float32{1, 2}})
		}
		mustNot(t, s.PutStatusVectors(ctx, "m1", rows), "PutStatusVectors")
		moderate(t, s, spam, ptr(true), nil)
		vecIDs := func(rs []store.StatusEmbedding) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.StatusID)
			}
			return out
		}
		live, err := s.ListStatusVectors(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusVectors")
		checkIDs(t, "live vectors while suspended", vecIDs(live), bb)
		all, err := s.ListAccountStatusVectors(ctx, "m1", spam.ID, 0, 10)
		mustNot(t, err, "ListAccountStatusVectors")
		checkIDs(t, "spam's vectors", vecIDs(all), sp[:2])
		page, err := s.ListAccountStatusVectors(ctx, "m1", spam.ID, sp[0], 1)
		mustNot(t, err, "ListAccountStatusVectors page")
		checkIDs(t, "spam's vectors, second page", vecIDs(page), sp[1:2])
		if _, err := s.ListAccountStatusVectors(ctx, "m1", spam.ID, 0, 0); err == nil {
			t.Fatal("limit 0 accepted")
		}
		todo, err := s.ListStatusesToEmbed(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusesToEmbed")
		if len(todo) != 1 || todo[0].ID != sp[2] || !todo[0].Hidden {
			t.Fatalf("to embed while suspended: %+v, want spam's third, hidden", todo)
		}
		moderate(t, s, spam, ptr(false), nil)
		live, err = s.ListStatusVectors(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusVectors after lifting")
		if len(live) != 5 {
			t.Fatalf("live vectors after lifting: %v, want 5", vecIDs(live))
		}
		todo, err = s.ListStatusesToEmbed(ctx, "m1", 0, 10)
		mustNot(t, err, "ListStatusesToEmbed after lifting")
		if len(todo) != 1 || todo[0].Hidden {
			t.Fatalf("to embed after lifting: %+v", todo)
		}
	})
	t.Run("PublicStatusTexts", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var want []int64
		var first int64
		for i, vis := range []store.Visibility{store.VisibilityPublic, store.VisibilityPrivate, store.VisibilityUnlisted,
			store.VisibilityDirect, store.VisibilityPublic} {
			st := statusOf(alice, i, vis, nil)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			if i == 0 {
				first = st.ID
			}
			if vis == store.VisibilityPublic || vis == store.VisibilityUnlisted {
				want = append(want, st.ID)
			}
		}
		orig, err := s.GetStatusByID(ctx, first)
		mustNot(t, err, "GetStatusByID")
		mustNot(t, s.PutStatus(ctx, reblogOf(alice, orig, 9)), "reblog")
		got, err := s.ListPublicStatusTexts(ctx, 0, 10)
		mustNot(t, err, "ListPublicStatusTexts")
		var ids []int64
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, want) || got[0].Text != orig.Text {
			t.Fatalf("public texts (private, direct and reblogs left out): %v, want %v", ids, want)
		}
		page, err := s.ListPublicStatusTexts(ctx, want[0], 1)
		mustNot(t, err, "ListPublicStatusTexts page")
		if len(page) != 1 || page[0].ID != want[1] {
			t.Fatalf("page after %d: %+v, want %d", want[0], page, want[1])
		}
		if _, err := s.ListPublicStatusTexts(ctx, 0, 0); err == nil {
			t.Fatal("limit 0 accepted")
		}
	})
}
