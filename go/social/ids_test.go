package social

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// lostLease is a node lease the process no longer holds.
type lostLease struct{}

func (lostLease) Node() (int, error) { return 0, errors.New("lease lost") }

// TestWritesWithoutAnIDNode: while the process holds no ID node, writes
// fail as unavailable (503, retry later) and store nothing, rather than
// risk an ID another process makes.
func TestWritesWithoutAnIDNode(t *testing.T) {
	s, st := newService(t, Deps{}, Config{})
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	posted := mustPost(t, s, bob, "hello", store.VisibilityPublic)
	s.ids = snowflake.New(lostLease{})
	tests := []struct {
		name  string
		write func(ctx context.Context) error
	}{
		{"post", func(ctx context.Context) error {
			_, err := s.PostStatus(ctx, alice, StatusInput{Text: "lost"})
			return err
		}},
		{"favourite", func(ctx context.Context) error { _, err := s.Favourite(ctx, alice, posted.ID); return err }},
		{"follow", func(ctx context.Context) error { _, err := s.Follow(ctx, alice, bob.ID, FollowOptions{}); return err }},
		{"register", func(ctx context.Context) error {
			_, err := s.CreateAccount(ctx, NewAccount{Username: "carol", Password: "password123"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			defer cancel()
			err := tt.write(ctx)
			wantKind(t, err, KindUnavailable)
			if !errors.Is(err, snowflake.ErrUnavailable) {
				t.Errorf("error %v does not say why", err)
			}
		})
	}
	ctx := t.Context()
	if a, err := st.GetAccountByID(ctx, alice.ID); err != nil || a.StatusesCount != 0 || a.FollowingCount != 0 {
		t.Errorf("alice: %+v, %v; want no status, no follow", a, err)
	}
	if p, err := st.GetStatusByID(ctx, posted.ID); err != nil || p.FavouritesCount != 0 {
		t.Errorf("bob's status: %+v, %v; want no favourite", p, err)
	}
	if _, err := st.GetAccountByUsername(ctx, "carol"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("carol: %v; want not registered", err)
	}
}
