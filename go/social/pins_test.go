package social

import (
	"context"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestPins(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	follow(t, s, bob, alice)
	var mine []*store.Status
	for _, vis := range []string{"public", "unlisted", "private", "public", "public", "public"} {
		mine = append(mine, postIn(t, s, alice, StatusInput{Text: "pin me", Visibility: vis}))
	}
	direct := postIn(t, s, alice, StatusInput{Text: "@bob psst", Visibility: "direct"})
	theirs := postIn(t, s, bob, StatusInput{Text: "bob's"})
	boost, err := s.Reblog(ctx, alice, theirs.ID, "")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		id   int64
		kind Kind // 0 (KindInternal) means success
	}{
		{"public", mine[0].ID, 0},
		{"unlisted", mine[1].ID, 0},
		{"private", mine[2].ID, 0},
		{"again: idempotent", mine[0].ID, 0},
		{"direct", direct.ID, KindInvalid},
		{"someone else's", theirs.ID, KindInvalid},
		{"a reblog", boost.ID, KindInvalid},
		{"unknown", 12345, KindNotFound},
		{"fourth", mine[3].ID, 0},
		{"fifth", mine[4].ID, 0},
		{"sixth: over the limit", mine[5].ID, KindInvalid},
	}
	for _, tt := range tests {
		_, err := s.PinStatus(ctx, alice, tt.id)
		if tt.kind == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || KindOf(err) != tt.kind {
			t.Errorf("%s: err %v, want kind %d", tt.name, err, tt.kind)
		}
	}

	pinned := func(viewer *store.Account) []int64 {
		t.Helper()
		sts, err := s.AccountStatuses(ctx, viewer, alice.ID, AccountStatusesInput{Pinned: true, Page: store.Page{Limit: 20}})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, st := range sts {
			out = append(out, st.ID)
		}
		return out
	}
	// Newest pin first; the private pin only for followers.
	want := []int64{mine[4].ID, mine[3].ID, mine[2].ID, mine[1].ID, mine[0].ID}
	if got := pinned(bob); !slices.Equal(got, want) {
		t.Errorf("bob sees pins %v, want %v", got, want)
	}
	if got, want := pinned(nil), []int64{mine[4].ID, mine[3].ID, mine[1].ID, mine[0].ID}; !slices.Equal(got, want) {
		t.Errorf("anonymous sees pins %v, want %v", got, want)
	}

	// The view says pinned for the author only.
	views, err := s.ViewStatuses(ctx, alice, []*store.Status{mine[0], mine[5], direct})
	if err != nil {
		t.Fatal(err)
	}
	if !views[0].Pinnable || !views[0].Pinned || !views[1].Pinnable || views[1].Pinned || views[2].Pinnable {
		t.Errorf("author's views: pinnable/pinned = %v/%v, %v/%v, %v", views[0].Pinnable, views[0].Pinned,
			views[1].Pinnable, views[1].Pinned, views[2].Pinnable)
	}
	if views, err = s.ViewStatuses(ctx, bob, []*store.Status{mine[0]}); err != nil {
		t.Fatal(err)
	}
	if views[0].Pinnable {
		t.Error("bob's view of alice's pinned status is pinnable")
	}

	// Unpinning is idempotent and frees a place.
	for range 2 {
		if _, err := s.UnpinStatus(ctx, alice, mine[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PinStatus(ctx, alice, mine[5].ID); err != nil {
		t.Errorf("pin after unpin: %v", err)
	}
	// Deleting a pinned status takes the pin with it.
	if _, err := s.DeleteStatus(ctx, alice, mine[5].ID); err != nil {
		t.Fatal(err)
	}
	if got, want := pinned(alice), []int64{mine[4].ID, mine[3].ID, mine[2].ID, mine[1].ID}; !slices.Equal(got, want) {
		t.Errorf("after delete: pins %v, want %v", got, want)
	}
}
